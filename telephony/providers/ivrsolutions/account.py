"""IVR Solutions: DIDs, agents and extensions, TTS templates (a mixin of the adapter)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from telephony.providers.errors import InvalidRequest
from telephony.providers.ivrsolutions.api import IVRApi
from telephony.providers.ivrsolutions.format import (
    LABEL,
    check_agent_password,
    country_of,
    from_provider_number,
    is_e164,
    template_status,
    to_agent_phone,
    to_provider_did,
)
from telephony.providers.types import AccountConfig, AgentInfo, AgentSpec, DIDInfo, TemplateInfo

logger = logging.getLogger(__name__)


class AccountMixin:
    api: IVRApi
    config: AccountConfig

    @property
    def _region(self) -> str:
        return self.config.default_region

    # -- DIDs ------------------------------------------------------------------------------
    def dids_owned(self) -> list[DIDInfo]:
        body = self.api.read("get_did_list", "the DID list")
        out = []
        for row in self.api.rows(body, "the DID list"):
            number = from_provider_number(row.get("did_number"), region=self._region)
            if not is_e164(number):
                # Not a number (the doc's own example has "+911onal60123"): skipped, never
                # guessed at (letters read as keypad digits would be someone else's line).
                logger.warning("%s listed an unusable DID %r; skipped", LABEL, number)
                continue
            out.append(
                DIDInfo(
                    number=number,
                    region=str(row.get("region") or ""),
                    kind=str(row.get("type") or "local"),
                    provider_id=number,
                )
            )
        return out

    def did_regions(self) -> list[str]:
        return [str(r.get("name") or r.get("id")) for r in self._regions()]

    def _regions(self) -> list[dict]:
        return self.api.rows(self.api.read("get_did_regions", "the DID regions"), "DID regions")

    def dids_search(self, *, region: str = "", pattern: str = "") -> list[DIDInfo]:
        """Numbers for sale in one region (a name from `did_regions`, or its id)."""
        if not region:
            raise InvalidRequest(f"{LABEL} searches one region at a time: choose a region.")
        match = next(
            (
                r
                for r in self._regions()
                if region.strip().lower() in (str(r.get("id")), str(r.get("name", "")).lower())
            ),
            None,
        )
        if match is None:
            raise InvalidRequest(f"{LABEL} has no DID region called {region!r}.")
        body = self.api.read(
            "search_did",
            "the DID search",
            {"country_code": "IN", "region": str(match["id"]), "pattern": pattern},
            refusal_ok=True,  # "Numbers not found" comes back as status false
        )
        if body.get("status") is False:
            return []
        cost = str(body["cost"]) if body.get("cost") not in (None, "") else None
        numbers = body.get("data")
        if not isinstance(numbers, list):
            raise self.api.http.bad_response("answered the DID search without a list of numbers")
        found = [from_provider_number(n, region=self._region) for n in numbers]
        skipped = [n for n in found if not is_e164(n)]
        if skipped:
            logger.warning("%s offered unusable DIDs %r; skipped", LABEL, skipped)
        return [
            DIDInfo(number=n, region=str(match.get("name") or region), monthly_cost=cost)
            for n in found
            if is_e164(n)
        ]

    def did_buy(self, number: str) -> DIDInfo:
        did = to_provider_did(number, region=self._region)
        what = f"the purchase of {did}"
        body = self.api.once(
            "buy_did", what, {"country": country_of(did, region=self._region), "number": did}
        )
        # The doc's answer names the number bought in `data`: without it, it is unconfirmed.
        named = self.api.confirmed(body, ("data", "number", "did_number"), what)
        bought = from_provider_number(named, region=self._region)
        if not is_e164(bought):
            logger.warning("%s confirmed buying %s as %r; kept as asked", LABEL, did, named)
            bought = did
        return DIDInfo(number=bought, provider_id=bought)

    # -- agents and extensions -----------------------------------------------------------
    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        """add_agent, then update_agent_did when the spec names a DID.

        IVR Solutions picks the extension number itself; the returned AgentInfo has it.
        Every check the doc states runs before anything is sent.
        """
        if not spec.name.strip():
            raise InvalidRequest(f"{LABEL} needs the agent's name.")
        if "@" not in spec.email:
            raise InvalidRequest(f"{LABEL} needs the agent's email address (their login).")
        if not spec.phone:
            raise InvalidRequest(f"{LABEL} needs the agent's phone number.")
        phone = to_agent_phone(spec.phone, region=self._region)
        check_agent_password(spec.password)
        did = to_provider_did(spec.did_number, region=self._region) if spec.did_number else ""
        body = self.api.once(
            "add_agent",
            f"the new agent {spec.name}",
            {
                "name": spec.name,
                "email": spec.email,
                "phonenumber": phone,
                "password": spec.password,
            },
        )
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        # The extension is picked by IVR Solutions and is what every later request names.
        extension = self.api.confirmed(body, ("ext_no", "extn_no"), f"the new agent {spec.name}")
        if did:
            self.extension_assign_did(extension=extension, did_number=did)
        return AgentInfo(
            provider_id=str(data.get("agent_id") or extension),
            name=str(data.get("name") or spec.name),
            extension=extension,
            phone=spec.phone,
            did_number=did,
        )

    def agents_list(self) -> list[AgentInfo]:
        body = self.api.read("get_agents", "the agent list")
        return [self._agent(row) for row in self.api.rows(body, "the agent list")]

    def _agent(self, row: dict[str, Any]) -> AgentInfo:
        extension = str(row.get("ext_no") or "")
        did = row.get("did_no")
        return AgentInfo(
            provider_id=str(row.get("agent_id") or extension),
            name=str(row.get("name") or ""),
            extension=extension,
            phone=from_provider_number(row.get("phonenumber"), region=self._region),
            enabled=str(row.get("status") or "active").lower() == "active",
            did_number=from_provider_number(did, region=self._region) if did else "",
            expires_on=str(row.get("expiry_date") or ""),
        )

    def extension_set_enabled(self, *, extension: str, enabled: bool) -> None:
        self.api.read(
            "change_agent_status",
            f"the status of extension {extension}",
            {"ext_no": extension, "status": "1" if enabled else "0"},
        )

    def extension_set_expiry(self, *, extension: str, expires_on: date) -> None:
        self.api.read(
            "set_extension_expiry",
            f"the expiry of extension {extension}",
            {"ext_no": extension, "expiry_date": expires_on.isoformat()},
        )

    def extension_assign_did(self, *, extension: str, did_number: str) -> None:
        self.api.read(
            "update_agent_did",
            f"the DID of extension {extension}",
            {"agent_ext": extension, "did_num": to_provider_did(did_number, region=self._region)},
        )

    # -- TTS templates ---------------------------------------------------------------------
    # A template's provider id is its name: the doc's status check and dial_by_text both
    # key on `template_name`; only dialers need the numeric id, looked up by name.
    def tts_template_create(self, *, name: str, text: str, language: str) -> TemplateInfo:
        """`language` is not sent: the doc's template has none (the voice is the account's)."""
        body = self.api.once(
            "create_text_template",
            f"the template {name}",
            {"template_name": name, "text_content": text},
        )
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        return TemplateInfo(
            provider_id=name, name=name, status=template_status(data.get("status")), text=text
        )

    def tts_template_status(self, provider_id: str) -> TemplateInfo:
        body = self.api.read(
            "text_template_status", f"the status of {provider_id}", {"template_name": provider_id}
        )
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        word = self.api.field(data, "status", f"the status of {provider_id}")
        return TemplateInfo(provider_id=provider_id, name=provider_id, status=template_status(word))

    def tts_templates_list(self) -> list[TemplateInfo]:
        return [
            TemplateInfo(
                provider_id=str(row.get("template_name")),
                name=str(row.get("template_name")),
                status=template_status(row.get("status")),
                text=str(row.get("text_content") or ""),
            )
            for row in self._template_rows()
        ]

    def _template_rows(self) -> list[dict]:
        body = self.api.read("get_text_templates", "the template list")
        return [r for r in self.api.rows(body, "the template list") if r.get("template_name")]
