"""IVR Solutions: hosted campaigns as text dialers (a mixin of the adapter).

A dialer speaks one approved text template to the numbers pushed into it, within a daily
window (in IST), `no_of_call` calls at a time. The doc shows only two dialer states,
"on" and "off": pause and stop both set "off" and resume sets "on" again, so a paused and
a stopped dialer look the same at the provider (our Campaign row knows which it is).
The doc has no fields for retries, retry gaps, priority or a start time: those stay with
our campaign engine and are not sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telephony.providers.errors import InvalidRequest, ProviderError
from telephony.providers.ivrsolutions.api import IVRApi
from telephony.providers.ivrsolutions.format import (
    LABEL,
    PROVIDER_TZ,
    row_update,
    to_provider_did,
    to_provider_number,
    window_in_provider_tz,
)
from telephony.providers.kit import parsing
from telephony.providers.types import (
    AccountConfig,
    AddNumbersResult,
    CallUpdate,
    CampaignNumber,
    HostedCampaignSpec,
    HostedCampaignStatus,
)

logger = logging.getLogger(__name__)

#: add_to_ivrdialerbulk: "Array of numbers with variables (max 100)".
BULK_LIMIT = 100
#: The variables a dialer entry carries besides its number (the doc's bulk example).
ENTRY_VARIABLES = ("order_id",)


class DialersMixin:
    api: IVRApi
    config: AccountConfig

    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        if not spec.template_name:
            raise InvalidRequest(f"{LABEL} dialers speak a text template: choose one.")
        if not spec.did_number:
            raise InvalidRequest(f"{LABEL} dialers need a DID to call from.")
        zone = spec.time_zone or str(PROVIDER_TZ)
        # The doc requires a window; without one, the global compliance window (DESIGN §7).
        start = window_in_provider_tz(spec.window_start or "09:00", zone)
        end = window_in_provider_tz(spec.window_end or "21:00", zone)
        what = f"the new dialer {spec.name}"
        body = self.api.once(
            "create_text_dialer",
            what,
            {
                "name": spec.name,
                "did_no": to_provider_did(spec.did_number, region=self.config.default_region),
                "no_of_call": max(1, spec.concurrency),
                "start_time": start,
                "end_time": end,
                "text_template_id": self._template_id(spec.template_name),
                "send_call_flow_id": int(spec.flow_id) if spec.flow_id.isdigit() else None,
            },
        )
        return self.api.confirmed(body, ("dialer_id", "id"), what)

    def _template_id(self, name: str) -> int:
        body = self.api.read("get_text_templates", "the template list")
        for row in self.api.rows(body, "the template list"):
            if row.get("template_name") == name and str(row.get("id", "")).isdigit():
                return int(row["id"])
        raise InvalidRequest(f"{LABEL} has no text template called {name!r}.")

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """Push in bulk requests of at most 100, each sent once (a resend could double-dial).

        Numbers we cannot format are rejected before sending; a chunk the provider refuses
        is rejected with its reason and the others still go. A failure that leaves the
        outcome unknown stops and says how many numbers went in before it.
        """
        entries, rejected, seen, duplicates = [], [], set(), 0
        for item in numbers:
            try:
                number = to_provider_number(item.number, region=self.config.default_region)
            except InvalidRequest as exc:
                rejected.append((item.number, exc.message))
                continue
            if number in seen:
                duplicates += 1
                continue
            seen.add(number)
            entries.append((item.number, self._entry(number, item)))
        accepted = 0
        for start in range(0, len(entries), BULK_LIMIT):
            chunk = entries[start : start + BULK_LIMIT]
            try:
                self._push(provider_id, [entry for _, entry in chunk], accepted)
            except InvalidRequest as exc:
                rejected += [(number, exc.message) for number, _ in chunk]
                continue
            except ProviderError as exc:
                # Same error, same type (ambiguous, rate limited...), plus what went in.
                exc.message = f"{exc.message} {accepted} numbers were added before."
                exc.args = (exc.message,)
                raise
            accepted += len(chunk)
        return AddNumbersResult(accepted=accepted, duplicates=duplicates, rejected=rejected)

    @staticmethod
    def _entry(number: str, item: CampaignNumber) -> dict:
        entry = {"number": number, "name": item.name or str(item.variables.get("name") or "")}
        for key in ENTRY_VARIABLES:
            if item.variables.get(key) not in (None, ""):
                entry[key] = str(item.variables[key])
        return entry

    def _push(self, provider_id: str, chunk: list[dict], done: int) -> None:
        self.api.once(
            "add_to_ivrdialerbulk",
            f"numbers {done + 1}-{done + len(chunk)} to dialer {provider_id}",
            {"dialerid": _dialer_id(provider_id), "numbers": chunk},
        )

    def campaign_start(self, provider_id: str) -> None:
        self._set_status(provider_id, "on")

    def campaign_pause(self, provider_id: str) -> None:
        """The doc has no pause: "off" stops dialing; resume turns the dialer on again."""
        self._set_status(provider_id, "off")

    def campaign_resume(self, provider_id: str) -> None:
        self._set_status(provider_id, "on")

    def campaign_stop(self, provider_id: str) -> None:
        self._set_status(provider_id, "off")

    def _set_status(self, provider_id: str, status: str) -> None:
        # Sent once: turning a dialer on starts calls, and an answer we cannot read may
        # mean it is dialing (campaigns.dialer.hosted settles a start in doubt by its status).
        self.api.once(
            "change_dialer_status",
            f"turning dialer {provider_id} {status}",
            {"dialerid": _dialer_id(provider_id), "status": status},
        )

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        body = self.api.read("get_dialers", "the dialer list")
        row = next(
            (r for r in self.api.rows(body, "the dialer list") if str(r.get("id")) == provider_id),
            None,
        )
        if row is None:
            raise InvalidRequest(f"{LABEL} has no dialer {provider_id} on this account.")
        total, done, pending = (
            parsing.count(row.get(k)) for k in ("total_numbers", "completed", "pending")
        )
        on = str(row.get("status") or "").lower() == "on"
        if total and pending == 0:
            status = "completed"
        elif on:
            status = "running"
        else:
            status = "paused" if total else "draft"
        return HostedCampaignStatus(
            provider_id=provider_id,
            status=status,
            total=total,
            completed=done,
            pending=pending,
            raw=row,
        )

    def campaign_results(self, provider_id: str) -> list[CallUpdate]:
        """One update per dialed call, from dialer_logs.

        The doc's dialer log rows carry no reference of ours (only `customer_no`), so
        `reference` stays empty and the caller matches each row by `to_number` within the
        campaign (a campaign holds a number once).
        """
        body = self.api.read(
            "dialer_logs",
            f"the logs of dialer {provider_id}",
            {"dialerid": _dialer_id(provider_id)},
        )
        rows = self.api.rows(body, f"the logs of dialer {provider_id}")
        if any(row.get("id") in (None, "") for row in rows):
            raise self.api.http.bad_response("answered the dialer logs with a row without `id`")
        return [
            row_update(
                {**row, "call_type": row.get("call_type") or "dialer"},
                call_id=str(row["id"]),
                region=self.config.default_region,
                dedupe_key=f"dialer-log-{row['id']}",
            )
            for row in rows
        ]


def _dialer_id(provider_id: str) -> int:
    if not str(provider_id).isdigit():
        raise InvalidRequest(f"{provider_id!r} is not an {LABEL} dialer id.")
    return int(provider_id)
