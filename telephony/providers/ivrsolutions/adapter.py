"""IVR Solutions adapter, written from /work/shared/providers/ivrsolutions.txt.

Split by concern: `api` (the PATHS table of every endpoint this adapter calls, requests,
errors), `format` (the status table, numbers, times, rows), `logs` (logs, recordings,
dispositions), `account` (DIDs, agents, templates), `dialers` (hosted campaigns).

Ids: a placed call is answered with a `logid` (`call_id` for text calls); log rows carry a
`recordid`; update_call_note takes the "Record ID from call_log API or webhook". The doc
never says a logid and a recordid are equal (its examples differ), so nothing here
assumes it: services match a placed call to its log row (telephony.services.sync_match).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping

from telephony.providers.base import (
    AccountConfig,
    BotInfo,
    CallPlaced,
    CallStatus,
    CallUpdate,
    Capability,
    ClickToCallRequest,
    FlowInfo,
    InvalidRequest,
    MaskedCallRequest,
    OutboundCallRequest,
    Provider,
    WebhookRejected,
)
from telephony.providers.ivrsolutions.account import AccountMixin
from telephony.providers.ivrsolutions.api import DEFAULT_BASE_URL, PATHS, IVRApi
from telephony.providers.ivrsolutions.dialers import DialersMixin
from telephony.providers.ivrsolutions.format import (
    LABEL,
    STATUS_TABLE,
    event_update,
    template_variables,
    to_provider_did,
    to_provider_number,
)
from telephony.providers.ivrsolutions.logs import LogsMixin
from telephony.providers.kit.http import HttpClient

__all__ = ["PATHS", "STATUS_TABLE", "IVRSolutionsProvider", "sign"]

logger = logging.getLogger(__name__)

# The doc says events are "signed with your key" but not how. Our decision, shared with
# the fake: X-IVR-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the
# secret_key>, and X-IVR-Timestamp: <unix seconds>, which the signed body repeats.
SIGNATURE_HEADER = "x-ivr-signature"
TIMESTAMP_HEADER = "x-ivr-timestamp"

#: The placing answer's id: `logid` in the doc; the other spellings are our liberal guess.
CALL_IDS = ("logid", "log_id", "call_id")

#: Voicebot settings: from the request's variables, else the account's credentials.
BOT_SETTINGS = ("wss_url", "wss_header", "system_msg", "sttlanguage_code")


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class IVRSolutionsProvider(LogsMixin, AccountMixin, DialersMixin, Provider):
    kind = "ivrsolutions"
    label = LABEL
    capabilities = frozenset(
        {
            Capability.CLICK_TO_CALL,
            Capability.MASKED_CALL,
            Capability.TTS_CALL,
            Capability.FLOW_CALL,
            Capability.VOICEBOT_CALL,
            Capability.HOSTED_CAMPAIGN,
            Capability.CALL_LOGS,
            Capability.RECORDINGS,
            Capability.DISPOSITION_PUSH,
            Capability.DIDS,
            Capability.AGENTS,
            Capability.EXTENSIONS,
            Capability.TTS_TEMPLATES,
            Capability.WEBHOOKS,
        }
    )
    missing = {
        Capability.CALL_DETAILS: "IVR Solutions' API has no per-call lookup (its "
        "get_call_status lists the status labels for notes); a call's outcome comes from its "
        "webhooks and the call logs.",
        Capability.SMS: "IVR Solutions' API offers voice calls only; it has no SMS endpoint.",
        Capability.CONTACTS_OPTOUT: "IVR Solutions can save and look up contacts but keeps no "
        "opt-out status; our DNC list is the only opt-out record for this account.",
        Capability.CREDITS: "IVR Solutions' API has no balance or credits endpoint; check it in "
        "the IVR Solutions portal.",
    }
    not_offered = {
        "agent_update": f"{LABEL}'s API cannot edit an agent's name, email or phone; change "
        "them in the IVR Solutions portal (the DID, status and expiry can be changed here).",
        "agent_delete": f"{LABEL}'s API cannot delete an agent; disable the agent's "
        "extension instead.",
    }
    # The doc's recording links live on calls.ivrsolutions.in; the API host may serve them too.
    recording_hosts = ("calls.ivrsolutions.in", "api.ivrsolutions.in")
    # Required when an account is added. The voicebot settings (BOT_SETTINGS) are optional
    # credentials too, read when present.
    credential_fields = ("api_token",)
    credential_labels = {
        "api_token": (
            "API token",
            "Settings → API token (or Integrations → API documentation); sent as a Bearer token.",
        ),
        "wss_url": (
            "Voicebot WSS URL (wss_url)",
            "Optional: your bot's WebSocket endpoint, e.g. wss://your-bot.example.com/voice.",
        ),
        "wss_header": (
            "Voicebot WSS header (wss_header)",
            "Optional: sent when the bridge connects, e.g. Authorization: Bearer YOUR_TOKEN.",
        ),
        "system_msg": (
            "Voicebot system prompt (system_msg)",
            "Optional: defines the AI agent's behaviour.",
        ),
        "sttlanguage_code": (
            "Speech-to-text language (sttlanguage_code)",
            "Optional: e.g. en-IN or hi-IN.",
        ),
    }
    optional_credential_fields = BOT_SETTINGS
    # The doc says events are "signed with your key" and names no header: these are our
    # guesses, tried before the account's setting and the common names (signatures.py).
    signature_headers = (SIGNATURE_HEADER,)
    timestamp_headers = (TIMESTAMP_HEADER,)

    def __init__(self, config: AccountConfig):
        super().__init__(config)
        token = str(config.credentials.get("api_token") or "")
        self.http = HttpClient(
            config,
            label=LABEL,
            base_url=DEFAULT_BASE_URL,
            auth_headers={"Authorization": f"Bearer {token}"},
        )
        self.api = IVRApi(self.http, PATHS, token)

    def test_connection(self) -> str:
        """get_call_status: a path the doc gives, a read with no side effect."""
        statuses = self.list_dispositions()
        return f"Connected to {LABEL}: {len(statuses)} call status(es) for notes on the account."

    # -- placing calls ---------------------------------------------------------------------
    def _number(self, e164: str, what: str) -> str:
        return to_provider_number(e164, region=self.config.default_region, field=what)

    def _did(self, e164: str) -> str:
        return to_provider_did(e164, region=self.config.default_region)

    def _placed(self, body: Mapping, keys: tuple[str, ...], what: str) -> CallPlaced:
        """The call's id from its placing answer; without one the call may still ring, so
        it is AmbiguousOutcome (the row is unknown until its log row or a webhook says)."""
        call_id = self.api.confirmed(body, keys, what)
        return CallPlaced(provider_call_id=call_id, status=CallStatus.QUEUED, raw=dict(body))

    def click_to_call(self, request: ClickToCallRequest) -> CallPlaced:
        """The platform rings the agent's extension, then the customer, over the DID."""
        if not request.agent_extension:
            raise InvalidRequest(f"{LABEL} click-to-call rings an agent extension; set one.")
        body = self.api.once(
            "c2c_post",
            "the click-to-call",
            {
                "did": self._did(request.did_number),
                "ext_no": request.agent_extension,
                "phone": self._number(request.customer_number, "customer number"),
            },
        )
        return self._placed(body, CALL_IDS, "the click-to-call")

    def masked_call(self, request: MaskedCallRequest) -> CallPlaced:
        body = self.api.once(
            "click_connect",
            "the masked call",
            {
                "first_phone": self._number(request.party_a, "first party's number"),
                "second_phone": self._number(request.party_b, "second party's number"),
                "did": self._did(request.did_number),
            },
        )
        return self._placed(body, CALL_IDS, "the masked call")

    def cancel_masked_call(self, *, did_number: str, party_a: str) -> None:
        """Cancelling twice is harmless: a session already over answers 404, taken as done."""
        data = {
            "action": "cancel",
            "did": self._did(did_number),
            "first_number": self._number(party_a, "first party's number"),
        }
        try:
            self.api.read("click_connect_update", "cancelling the masked call", data)
        except InvalidRequest as exc:
            if exc.status != 404:
                raise
            logger.info("%s: no live masked session to cancel (%s)", LABEL, exc.message)

    def tts_call(self, request: OutboundCallRequest) -> CallPlaced:
        """dial_by_text: an approved template, its variables comma-separated in order."""
        if not request.template_name:
            raise InvalidRequest(f"{LABEL} speaks text only through an approved template.")
        body = self.api.once(
            "dial_by_text",
            "the text call",
            {
                "did_no": self._did(request.did_number),
                "customer_no": self._number(request.to_number, "number to call"),
                "template_name": request.template_name,
                "Variable": template_variables(request.text, request.variables),
                "flow_id": request.flow_id,
            },
        )
        # The doc answers this one with `call_id` ("call_txt_abc123"), not a numeric logid.
        return self._placed(body, ("call_id", *CALL_IDS), "the text call")

    def flow_call(self, request: OutboundCallRequest) -> CallPlaced:
        if not request.flow_id:
            raise InvalidRequest(f"{LABEL} flow calls need a call flow: choose one.")
        body = self.api.once(
            "dial_by_flow",
            "the flow call",
            {
                "did_no": self._did(request.did_number),
                "flow_id": request.flow_id,
                "customer_no": self._number(request.to_number, "number to call"),
            },
        )
        return self._placed(body, CALL_IDS, "the flow call")

    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        """With a WSS URL: dial_by_aivoicebot (our bot over the WSS bridge, optionally a
        configured bot id too). With only a bot id: dial_by_voicebot (a bot hosted there).

        The WSS URL, its header, the system prompt and the STT language come from the
        request's variables under the doc's names, else from the account's credentials;
        the opening line is the request's text. dial_by_aivoicebot has no DID field.
        """
        settings = {
            key: str(request.variables.get(key) or self.config.credentials.get(key) or "")
            for key in BOT_SETTINGS
        }
        customer = self._number(request.to_number, "number to call")
        common = {"customer_no": customer, "Voicechat_id": request.bot_id, "text": request.text}
        if settings["wss_url"]:
            if not settings["wss_url"].startswith("wss://"):
                raise InvalidRequest(f"{LABEL} streams AI calls to a wss:// URL only.")
            body = self.api.once("dial_by_aivoicebot", "the AI voice bot call", common | settings)
        elif request.bot_id:
            data = common | {"did_num": self._did(request.did_number)}
            data["system_msg"] = settings["system_msg"]
            body = self.api.once("dial_by_voicebot", "the voice bot call", data)
        else:
            raise InvalidRequest(
                f"{LABEL} AI calls need a voice bot, or a WSS URL (`wss_url`) in the "
                "account's credentials."
            )
        return self._placed(body, CALL_IDS, "the voice bot call")

    # -- flows and bots --------------------------------------------------------------------
    def list_flows(self) -> list[FlowInfo]:
        body = self.api.read("get_call_flows", "the call flow list")
        return [
            FlowInfo(str(r.get("id")), str(r.get("name") or ""), str(r.get("description") or ""))
            for r in self.api.rows(body, "the call flow list")
        ]

    def list_voicebots(self) -> list[BotInfo]:
        body = self.api.read("get_voicebots", "the voice bot list")
        return [
            BotInfo(
                str(r.get("id")),
                str(r.get("name") or ""),
                " · ".join(str(r[k]) for k in ("language", "status") if r.get(k)),
            )
            for r in self.api.rows(body, "the voice bot list")
        ]

    # -- webhooks --------------------------------------------------------------------------
    def webhook_register(self, *, url: str, secret: str) -> None:
        data = {"webhookurl": url, "secret_key": secret}
        self.api.read("register_webhook", "the webhook URL", data)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise WebhookRejected("malformed JSON") from exc
        if not isinstance(payload, dict) or not str(payload.get("event") or "").strip():
            raise WebhookRejected("missing event")
        update = event_update(payload, region=self.config.default_region)
        if not update.provider_call_id:
            raise WebhookRejected("missing logid and recordid")
        update.dedupe_key = update.dedupe_key or hashlib.sha256(body).hexdigest()
        return [update]
