"""Robotalker: TTS calls with {VARIABLE}s and DTMF actions, broadcast campaigns, SMS and
contacts with opt-out status.

Written from its "API Developer Guide" (/work/shared/providers/robotalker.txt): six paths,
`Authorization: Bearer`, the single-call body and answer, the webhook events and the
`call.completed` payload, E.164 for every number, and 400/401/429/500.

Where the doc is silent we decided:
- The host is our guess (the doc prints paths only); `base_url` on the account fixes it.
- A campaign is created together with its whole list and dials at once (or at
  `schedule_at`); the doc has no start, pause, add-numbers, calling window or retries, so
  those refuse with the reason instead of being faked.
- Calls carry one DTMF action, the account's opt-out key (doc example: 9); the key a
  person pressed comes back in `dtmf_response` either way.
- Answers the doc does not show (campaign, SMS, details) are read liberally: `id` or
  `<thing>_id`, a number or a string, extra fields ignored. A side effect (call, campaign,
  SMS) is sent once; a 2xx we cannot read, or without its id, is AmbiguousOutcome.
- A call event's name decides its outcome; its `status` word is kept raw (EVENT_STATUS).
- The doc documents no webhook signature: the secret token in our webhook URL is the
  proof of origin; the shared verifier checks a signature if one ever appears.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    FINAL_STATUSES,
    CallPlaced,
    CallStatus,
    CallUpdate,
    Capability,
    ContactOptOut,
    HostedCampaignSpec,
    HostedCampaignStatus,
    InvalidRequest,
    OutboundCallRequest,
    Provider,
    WebhookRejected,
)
from telephony.providers.kit import http, parsing
from telephony.providers.robotalker import payloads
from telephony.providers.robotalker.api import BASE_URL, PATHS

logger = logging.getLogger(__name__)

# Robotalker's call status words. "queued" (create answer) and "answered" (call.completed)
# are in the doc; the rest are our guess after its event names.
STATUS_TABLE: dict[str, CallStatus] = {
    "queued": CallStatus.QUEUED,  # doc
    "ringing": CallStatus.RINGING,  # guess
    "in_progress": CallStatus.IN_PROGRESS,  # guess
    "answered": CallStatus.COMPLETED,  # doc: the status of a call.completed
    "completed": CallStatus.COMPLETED,  # guess: the event's own word
    "no_answer": CallStatus.NO_ANSWER,  # guess (call.no_answer)
    "busy": CallStatus.BUSY,  # guess
    "voicemail": CallStatus.VOICEMAIL,  # guess (call.voicemail)
    "failed": CallStatus.FAILED,  # guess (call.failed)
}
# The outcome each documented call event names. The event decides, not the payload's
# `status` word: the doc's own call.completed example carries "answered", and a
# call.no_answer that says "answered" (seen in the wild) is still a call nobody picked up.
# The word is kept raw beside it.
EVENT_STATUS: dict[str, CallStatus] = {
    "call.completed": CallStatus.COMPLETED,  # doc
    "call.no_answer": CallStatus.NO_ANSWER,  # doc
    "call.voicemail": CallStatus.VOICEMAIL,  # doc
    "call.failed": CallStatus.FAILED,  # doc
}
CALL_EVENTS = tuple(EVENT_STATUS)
# guess: a campaign is "scheduled" until its first call, then "running", then "completed".
CAMPAIGN_STATUS_TABLE = {"scheduled": "scheduled", "running": "running", "completed": "completed"}

DEFAULT_VOICE = "en-US-Neural-F"  # the doc's example voice
DEFAULT_OPTOUT_KEY = "9"  # the doc's example opt-out key
_DTMF_KEYS = frozenset("0123456789*#")
NO_CONTROL = (
    "Robotalker's API cannot {action} a campaign: a campaign dials its whole list from its "
    "start time to the end. Run the campaign on the dashboard's own dialer to steer it."
)


class RobotalkerProvider(Provider):
    kind = "robotalker"
    label = "Robotalker"
    optional_credential_fields = ("voice", "optout_key")
    credential_labels = {
        "api_key": (
            "API key",
            "Settings → API in your Robotalker dashboard; sent as a Bearer token.",
        ),
        "voice": (
            "Voice",
            "Optional: the TTS voice, e.g. en-US-Neural-F.",
        ),
        "optout_key": (
            "Opt-out key",
            "Optional: the key a callee presses to opt out.",
        ),
    }
    capabilities = frozenset(
        {
            Capability.TTS_CALL,
            Capability.CALL_DETAILS,
            Capability.HOSTED_CAMPAIGN,
            Capability.SMS,
            Capability.CONTACTS_OPTOUT,
            Capability.WEBHOOKS,
        }
    )
    campaign_numbers_at_create = True
    missing = {
        Capability.CLICK_TO_CALL: "Robotalker places automated calls only; it cannot bridge "
        "an agent to a customer.",
        Capability.MASKED_CALL: "Robotalker has no number-masked calls between two parties.",
        Capability.FLOW_CALL: "Robotalker has no IVR flows; its calls speak a message and "
        "act on key presses.",
        Capability.VOICEBOT_CALL: "Robotalker has no AI voicebots; its calls speak a message.",
        Capability.CALL_LOGS: "Robotalker's API has no call log to list: calls are read one "
        "by one and arrive by webhook.",
        Capability.RECORDINGS: "Robotalker's API offers no call recordings.",
        Capability.DISPOSITION_PUSH: "Robotalker's API does not accept dispositions or "
        "notes; they are kept in this dashboard only.",
        Capability.DIDS: "Robotalker's API does not list or sell numbers; use a caller id "
        "verified in your Robotalker account.",
        Capability.AGENTS: "Robotalker has no agents; its calls are automated.",
        Capability.EXTENSIONS: "Robotalker has no agent extensions.",
        Capability.TTS_TEMPLATES: "Robotalker takes each message's text with the call; "
        "templates live in this dashboard.",
        Capability.CREDITS: "Robotalker's API does not report a balance.",
    }
    not_offered = {
        "campaign_add_numbers": "Robotalker takes a campaign's numbers only when the campaign "
        "is created; more numbers need a new campaign.",
        "campaign_start": "Robotalker starts a campaign by itself, at once or at its scheduled "
        "time; its API has no start.",
        "campaign_pause": NO_CONTROL.format(action="pause"),
        "campaign_resume": NO_CONTROL.format(action="resume"),
        "campaign_stop": NO_CONTROL.format(action="stop"),
    }

    def __init__(self, config):
        super().__init__(config)
        self.http = http.HttpClient(
            config,
            label=self.label,
            base_url=BASE_URL,
            auth_headers={"Authorization": f"Bearer {config.credentials.get('api_key', '')}"},
        )

    # -- connection ------------------------------------------------------------------------
    def test_connection(self) -> str:
        # The doc has no account endpoint; the opted-out contacts are a cheap, useful read.
        self._require_key()
        data = self.http.json_object(
            self.http.read(*PATHS["list_contacts"].target(), params={"opted_out": "true"})
        )
        contacts = data.get("contacts")
        count = len(contacts) if isinstance(contacts, list) else 0
        return f"Robotalker accepted the API key; {count} opted-out contact(s) on file."

    # -- calls ---------------------------------------------------------------------------------
    def tts_call(self, request: OutboundCallRequest) -> CallPlaced:
        """POST /api/v1/calls: Robotalker fills the message's {VARIABLE}s itself."""
        self._require_key()
        if not request.text.strip():
            raise InvalidRequest("Robotalker needs the message to speak: the call has no text.")
        variables = payloads.variables(request.variables)
        payloads.check_variables(request.text, variables)
        body = {
            "to": self._e164(request.to_number, "the number to call"),
            "from": self._caller_id(request.did_number),
            "message": request.text,
            "voice": self.config.credentials.get("voice") or DEFAULT_VOICE,
            "variables": variables,
            "dtmf": self._dtmf(),
            **self._webhook(),
        }
        # doc: the answer's `call_id`; `id` accepted too, as a number or a string.
        data, call_id = self._placed("create_call", body, ("call_id", "id"), "placing the call")
        status = parsing.status_from(STATUS_TABLE, data.get("status"), label=self.label)
        return CallPlaced(
            provider_call_id=call_id,
            status=status if status is not CallStatus.UNKNOWN else CallStatus.QUEUED,
            raw=data,
        )

    def call_details(self, provider_call_id: str) -> CallUpdate:
        data = self._get_one("call_details", provider_call_id, "call")
        # The doc shows no details answer: the call we asked about, whatever id it echoes.
        call_id = http.first_id(data, "call_id", "id") or provider_call_id
        return self._update(data, "details", call_id)

    # -- hosted campaigns ------------------------------------------------------------------
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        """POST /api/v1/campaigns with the whole list: Robotalker has no empty campaign."""
        self._require_key()
        payloads.refuse_unsupported(spec)
        # Robotalker paces a campaign itself (doc: "batch endpoints handle throttling
        # internally"); priority is ours, between campaigns, so neither is sent.
        body: dict[str, Any] = {
            "name": spec.name,
            "from": self._caller_id(spec.did_number),
            "message": spec.text,
            "voice": self.config.credentials.get("voice") or DEFAULT_VOICE,
            "dtmf": self._dtmf(),
            "contacts": payloads.recipients(spec.text, spec.numbers, self._e164),
            **self._webhook(),
        }
        if spec.schedule_at is not None:
            body["schedule_at"] = payloads.iso(spec.schedule_at)
        # The doc shows no campaign answer: `campaign_id` or `id`, a number or a string.
        keys = ("campaign_id", "id")
        return self._placed("create_campaign", body, keys, "creating the campaign")[1]

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        data = self._get_one("campaign_details", provider_id, "campaign")
        word = str(data.get("status") or "")
        status = CAMPAIGN_STATUS_TABLE.get(word)
        if status is None:
            logger.warning("Robotalker campaign status %r is not in the table; kept raw", word)
            status = word
        stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
        total = parsing.count(stats.get("total"))
        if total is None:
            total = parsing.count(data.get("total_contacts"))
        # A number is done once its call ended, or once it was skipped for having opted out.
        ended = [w for w, s in STATUS_TABLE.items() if s in FINAL_STATUSES] + ["opted_out"]
        done = sum(parsing.count(stats.get(w)) or 0 for w in ended)
        return HostedCampaignStatus(
            provider_id=provider_id,
            status=status,
            total=total,
            completed=done,
            pending=None if total is None else max(total - done, 0),
            raw=data,
        )

    def campaign_results(self, provider_id: str) -> Iterable[CallUpdate]:
        """One update per call. Robotalker echoes no reference of ours, so `reference` is
        empty and the caller matches by `to_number` (unique in a campaign we created)."""
        data = self._get_one("campaign_details", provider_id, "campaign")
        calls = data.get("calls") if isinstance(data.get("calls"), list) else []
        rows = [(c, http.first_id(c, "call_id", "id")) for c in calls if isinstance(c, dict)]
        return [
            self._update({**call, "campaign_id": provider_id}, "campaign", call_id)
            for call, call_id in rows
            if call_id
        ]

    # -- SMS and contacts ----------------------------------------------------------------------
    def sms_send(self, *, to_number: str, text: str, sender: str = "") -> str:
        self._require_key()
        body = {
            "from": self._caller_id(sender),
            "to": self._e164(to_number, "the SMS recipient"),
            "message": payloads.sms_text(text),
        }
        keys = ("sms_id", "message_id", "id")  # the doc shows no SMS answer
        return self._placed("send_sms", body, keys, "sending the SMS")[1]

    def sms_send_bulk(self, *, to_numbers: Sequence[str], text: str, sender: str = "") -> list[str]:
        """One id per number, in order; "" where Robotalker skipped an opted-out number."""
        self._require_key()
        if not to_numbers:
            return []
        body = {
            "from": self._caller_id(sender),
            "message": payloads.sms_text(text),
            "recipients": [{"to": self._e164(n, "an SMS recipient")} for n in to_numbers],
        }
        what = "sending the SMS batch"
        response = self.http.once(*PATHS["send_sms"].target(), what=what, json=body)
        messages = payloads.batch_messages(self.http.once_json(response, what=what))
        if messages is None or len(messages) != len(to_numbers):
            # Which numbers were texted is unknown: none is sent again automatically.
            raise self.http.ambiguous(f"answered {what} without one message per number")
        return [http.first_id(m, "sms_id", "message_id", "id") or "" for m in messages]

    def contact_optout_status(self, number: str) -> ContactOptOut:
        self._require_key()
        e164 = self._e164(number, "the number")
        response = self.http.read(*PATHS["list_contacts"].target(), params={"phone": e164})
        contacts = self.http.json_object(response).get("contacts")
        if not isinstance(contacts, list):
            raise self.http.bad_response("listed contacts without a contacts array")
        opted = any(isinstance(c, dict) and c.get("opted_out") is True for c in contacts)
        return ContactOptOut(number=e164, opted_out=opted)

    # -- webhooks ----------------------------------------------------------------------------
    def webhook_register(self, *, url: str, secret: str) -> None:
        # Nothing to register: every call and campaign we create carries our webhook URL.
        return None

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        payload = parsing.webhook_object(body)
        event = payload.get("event")
        if not isinstance(event, str) or not event:
            raise WebhookRejected("not a Robotalker event (no event name)")
        if event == payloads.OPTOUT_EVENT:
            return [payloads.optout_update(payload, body)]
        call_id = http.first_id(payload, "call_id", "id")
        if not call_id:
            raise WebhookRejected(f"{event} without a call_id")
        if event not in CALL_EVENTS:
            logger.warning("Robotalker event %r is not documented; kept raw", event)
        update = self._update(payload, event, call_id, EVENT_STATUS.get(event))
        # One event of each kind per call: a redelivery is the same event, a duplicate.
        update.dedupe_key = f"robotalker:{event}:{call_id}"
        return [update]

    # -- internals ---------------------------------------------------------------------------
    def _require_key(self) -> None:
        if not self.config.credentials.get("api_key"):
            raise InvalidRequest("The Robotalker API key is not set on this account.")

    def _e164(self, number: str, what: str) -> str:
        try:
            return normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(f"Robotalker needs E.164 for {what}: {exc}") from exc

    def _caller_id(self, number: str) -> str:
        if not number:
            raise InvalidRequest("Robotalker needs a caller id: choose a DID to call from.")
        return self._e164(number, "the caller id")

    def _dtmf(self) -> dict[str, dict[str, str]]:
        key = self.config.credentials.get("optout_key") or DEFAULT_OPTOUT_KEY
        if key not in _DTMF_KEYS:
            raise InvalidRequest(f"The opt-out key {key!r} must be one of 0-9, * or #.")
        return {key: {"action": "optout"}}

    def _webhook(self) -> dict[str, str]:
        return {"webhook_url": self.config.webhook_url} if self.config.webhook_url else {}

    def _placed(
        self, name: str, body: dict[str, Any], keys: tuple[str, ...], what: str
    ) -> tuple[dict[str, Any], str]:
        """Send a request that calls or texts someone: once, never retried. A 2xx we cannot
        read, or one without the id, may still have placed it: ambiguous, never "failed"."""
        response = self.http.once(*PATHS[name].target(), what=what, json=body)
        data = self.http.once_object(response, what=what)
        return data, self.http.confirmed_id(data, keys, what=what)

    def _get_one(self, name: str, provider_id: str, what: str) -> dict[str, Any]:
        self._require_key()
        try:
            return self.http.json_object(self.http.read(*PATHS[name].target(id=provider_id)))
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"Robotalker does not know {what} {provider_id}.", status=404
                ) from exc
            raise

    def _update(
        self,
        data: Mapping[str, Any],
        event_type: str,
        call_id: str,
        status: CallStatus | None = None,
    ) -> CallUpdate:
        return payloads.call_update(
            data,
            call_id=call_id,
            event_type=event_type,
            status=status,
            table=STATUS_TABLE,
            region=self.config.default_region,
        )
