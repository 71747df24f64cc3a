"""Callmatic: voicebot calls run by a campaign configured in Callmatic's portal.

Written from its public doc (/work/shared/providers/callmatic.txt): four endpoints, an
`api-key` header, a batch limit of 200, errors shaped `{"success": false, "error": ...}`,
and an unsigned completion webhook whose body is the call's details.

Where the doc is silent we decided:
- A Callmatic campaign is the voicebot itself (script, voice, variables) and is created
  only in Callmatic's portal. So `campaign_create` creates nothing: it adopts an existing
  campaign id (the campaign's `bot_id`, else the account's `campaign_id` credential) and
  the dashboard's campaign steers which numbers are pushed to it.
- Start, pause, resume, stop, status and per-campaign results have no endpoint: those
  methods refuse with the reason. Results still arrive per call (completion webhook and
  `GET /calls/{id}`), and `campaign_add_numbers` returns each entry's call id.
- Numbers go out as the doc's examples show them: Indian numbers as 10 national digits,
  any other country in E.164 (our guess).
- The base URL is the doc's, version prefix included: an account whose base URL is the
  host only (`https://api.callmatic.ai`) gets `/v1` appended, so it still reaches the
  documented paths (`payloads.api_base`).
- Both triggers dial, so each is sent once (`HttpClient.once`); a 2xx we cannot read, or a
  single call's answer without its id, is `AmbiguousOutcome`. Ids are read as text under
  `callId`, `call_id` or `id`, at the top or under `data`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    AddNumbersResult,
    AuthenticationFailed,
    CallPlaced,
    CallStatus,
    CallUpdate,
    CampaignNumber,
    Capability,
    HostedCampaignSpec,
    InvalidRequest,
    OutboundCallRequest,
    Provider,
    ProviderError,
    Recording,
    WebhookRejected,
)
from telephony.providers.callmatic import payloads
from telephony.providers.callmatic.api import BASE_URL, PATHS
from telephony.providers.callmatic.payloads import CALL_ID_KEYS
from telephony.providers.kit import http, parsing

# Callmatic's status words. The doc shows only "completed"; the rest are our guess in the
# same lower-case style (both separators, since the doc shows no two-word status).
STATUS_TABLE: dict[str, CallStatus] = {
    "queued": CallStatus.QUEUED,  # guess
    "ringing": CallStatus.RINGING,  # guess
    "in-progress": CallStatus.IN_PROGRESS,  # guess
    "in_progress": CallStatus.IN_PROGRESS,  # guess
    "completed": CallStatus.COMPLETED,  # doc
    "no-answer": CallStatus.NO_ANSWER,  # guess
    "no_answer": CallStatus.NO_ANSWER,  # guess
    "busy": CallStatus.BUSY,  # guess
    "failed": CallStatus.FAILED,  # guess
    "voicemail": CallStatus.VOICEMAIL,  # guess
    "canceled": CallStatus.CANCELED,  # guess
    "cancelled": CallStatus.CANCELED,  # guess
}

MAX_BATCH = 200  # doc: "a maximum of 200 calls in a single API request"

_NO_CONTROL = (
    "Callmatic's API cannot {action} a campaign; do it in the Callmatic portal. "
    "The dashboard stops pushing numbers to it."
)

NO_CAMPAIGN = (
    "No Callmatic campaign id: choose a voicebot whose id is the Callmatic campaign id, or "
    "set the account's campaign_id (copy it from the campaign's URL in the Callmatic portal)."
)


class CallmaticProvider(Provider):
    kind = "callmatic"
    label = "Callmatic"
    credential_fields = ("api_key", "campaign_id")
    credential_labels = {
        "api_key": (
            "API key (apiKey)",
            "Sent as the api-key header; Account section → Generate API Key.",
        ),
        "campaign_id": (
            "Campaign ID (campaignId)",
            "The Callmatic campaign the calls run in.",
        ),
    }
    capabilities = frozenset(
        {
            Capability.VOICEBOT_CALL,
            Capability.HOSTED_CAMPAIGN,
            Capability.CALL_DETAILS,
            Capability.RECORDINGS,
            Capability.WEBHOOKS,
        }
    )
    recording_hosts = ("api.callmatic.ai",)
    missing = {
        Capability.CLICK_TO_CALL: "Callmatic only places voicebot calls; it cannot bridge an "
        "agent to a customer.",
        Capability.MASKED_CALL: "Callmatic has no number-masked calls between two parties.",
        Capability.TTS_CALL: "Callmatic speaks through its campaign's voicebot; it has no "
        "plain text-to-speech call.",
        Capability.FLOW_CALL: "Callmatic has no IVR flows; its campaigns run a voicebot.",
        Capability.CALL_LOGS: "Callmatic's API has no call log to list: calls are read one by "
        "one (details) and arrive by the completion webhook.",
        Capability.DISPOSITION_PUSH: "Callmatic's API does not accept dispositions or notes; "
        "they are kept in this dashboard only.",
        Capability.DIDS: "Callmatic's API does not list or sell numbers.",
        Capability.AGENTS: "Callmatic has no human agents; its campaigns run a voicebot.",
        Capability.EXTENSIONS: "Callmatic has no agent extensions.",
        Capability.TTS_TEMPLATES: "Callmatic's scripts live in its campaigns, set up in the "
        "Callmatic portal.",
        Capability.SMS: "Callmatic's API does not send SMS.",
        Capability.CONTACTS_OPTOUT: "Callmatic's API keeps no contacts or opt-outs; use this "
        "dashboard's DNC lists.",
        Capability.CREDITS: "Callmatic's API does not report a balance.",
    }
    not_offered = {
        "campaign_start": "Callmatic's API cannot start a campaign: numbers pushed to it are "
        "dialed as soon as the campaign is active in the Callmatic portal.",
        "campaign_pause": _NO_CONTROL.format(action="pause"),
        "campaign_resume": _NO_CONTROL.format(action="resume"),
        "campaign_stop": _NO_CONTROL.format(action="stop"),
        "campaign_status": "Callmatic's API has no campaign status; progress is counted from "
        "each call's completion webhook and details.",
        "campaign_results": "Callmatic's API cannot list a campaign's calls; each call's "
        "outcome comes from its completion webhook or its details (by the call id the batch "
        "returned).",
        "list_voicebots": "Callmatic's API cannot list campaigns: copy the campaign id from "
        "the campaign's URL in the Callmatic portal.",
        "webhook_register": "Callmatic's API cannot register a webhook: paste this account's "
        "webhook URL into the Callmatic portal.",
    }

    def __init__(self, config):
        super().__init__(config)
        self.http = http.HttpClient(
            config,
            label=self.label,
            base_url=BASE_URL,
            auth_headers={"api-key": config.credentials.get("api_key", "")},
        )
        self.http.base_url = payloads.api_base(config.base_url or BASE_URL)

    # -- connection ------------------------------------------------------------------------
    def test_connection(self) -> str:
        # The doc has no account endpoint. Details of a call that cannot exist is the
        # cheapest authenticated read: a wrong key answers 401, a good one "not found".
        self._require_key()
        try:
            self.http.read(*PATHS["call_details"].target(callId=_PROBE_ID))
        except InvalidRequest as exc:
            if exc.status != 404:
                raise
        campaign = self.config.credentials.get("campaign_id", "")
        suffix = f"; calls go to campaign {campaign}" if campaign else ""
        return f"Callmatic accepted the API key{suffix}."

    # -- placing calls -----------------------------------------------------------------------
    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._require_key()
        campaign_id = (
            request.campaign_ref or request.bot_id or self.config.credentials.get("campaign_id", "")
        )
        if not campaign_id:
            raise InvalidRequest(NO_CAMPAIGN)
        body = {
            "campaignId": campaign_id,
            "phoneNumber": self._outbound_number(request.to_number),
            "variables": dict(request.variables),
        }
        answer = self._place("trigger_call", body, campaign_id)
        call_id = self.http.confirmed_id(answer, CALL_ID_KEYS, what=_WHAT["trigger_call"])
        return CallPlaced(
            provider_call_id=call_id, status=CallStatus.QUEUED, raw=payloads.data_of(answer)
        )

    # -- hosted campaigns --------------------------------------------------------------------
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        campaign_id = spec.bot_id or self.config.credentials.get("campaign_id", "")
        if not campaign_id:
            raise InvalidRequest(
                "Callmatic campaigns are created in the Callmatic portal. " + NO_CAMPAIGN
            )
        return campaign_id

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """POST /calls/batch in chunks of 200; bad numbers are refused here, one by one.

        When a chunk fails, the error carries `partial_result`: what earlier chunks queued
        (their call ids included), so nothing already queued is pushed twice.
        """
        self._require_key()
        if not provider_id:
            raise InvalidRequest(NO_CAMPAIGN)
        rejected: list[tuple[str, str]] = []
        valid: list[tuple[CampaignNumber, str]] = []
        for number in numbers:
            try:
                valid.append((number, self._outbound_number(number.number)))
            except InvalidRequest as exc:
                rejected.append((number.number, exc.message))
        accepted = duplicates = 0
        provider_ids: dict[str, str] = {}
        for start in range(0, len(valid), MAX_BATCH):
            chunk = valid[start : start + MAX_BATCH]
            body = {
                "campaignId": provider_id,
                "to": [
                    {"phoneNumber": phone, "variables": payloads.variables(n)} for n, phone in chunk
                ],
            }
            try:
                answer = self._place("trigger_batch", body, provider_id)
                queued = payloads.batch_outcome(answer, chunk)
                if queued is None:
                    raise self.http.ambiguous(
                        f"answered {_WHAT['trigger_batch']} without its calls or counts"
                    )
            except ProviderError as exc:
                # Earlier chunks are queued at Callmatic; the caller must keep their ids.
                exc.partial_result = AddNumbersResult(
                    accepted, duplicates, tuple(rejected), provider_ids
                )
                raise
            accepted += queued.accepted
            duplicates += queued.duplicates
            provider_ids.update(queued.provider_ids)
        return AddNumbersResult(accepted, duplicates, tuple(rejected), provider_ids)

    # -- reads -------------------------------------------------------------------------------
    def call_details(self, provider_call_id: str) -> CallUpdate:
        self._require_key()
        try:
            response = self.http.read(*PATHS["call_details"].target(callId=provider_call_id))
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"Callmatic does not know call {provider_call_id}.", status=404
                ) from exc
            raise
        data = self._data(response)
        # An answer that leaves its id out is still the call we asked for.
        call_id = http.first_id(data, *CALL_ID_KEYS) or provider_call_id
        return self._update_from(data, call_id, event_type="details")

    def fetch_recording(self, url: str) -> Recording:
        # The API key rides along, so it is only ever sent to Callmatic's own recording path.
        prefix = self.http.base_url + "/recordings/"
        if not url.startswith(prefix) or urlsplit(url).hostname != urlsplit(prefix).hostname:
            raise InvalidRequest("Not a Callmatic recording URL; not fetched.")
        self._require_key()
        response = self.http.read("GET", url)
        if not response.content:
            raise self.http.bad_response("returned an empty recording")
        # The doc: "format may vary depending on configuration" - keep whatever it says.
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return Recording(content=response.content, content_type=content_type or "audio/mpeg")

    # -- webhooks ----------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        payload = payloads.data_of(parsing.webhook_object(body))
        call_id = http.first_id(payload, *CALL_ID_KEYS)
        word = payload.get("status")
        if call_id is None or not isinstance(word, str) or not word.strip():
            raise WebhookRejected("missing callId or status")
        update = self._update_from(payload, call_id, event_type="completed")
        # One completion per call: a redelivery of the same ending is a duplicate.
        ending = f"{call_id}:{word.strip()}:{payload.get('endTime') or ''}"
        update.dedupe_key = "callmatic:" + hashlib.sha256(ending.encode()).hexdigest()[:40]
        return [update]

    # -- internals ---------------------------------------------------------------------------
    def _require_key(self) -> None:
        if not self.config.credentials.get("api_key"):
            raise AuthenticationFailed("The Callmatic API key is not set on this account.")

    def _outbound_number(self, number: str) -> str:
        try:
            e164 = normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(str(exc)) from exc
        return e164[3:] if e164.startswith("+91") else e164

    def _reported(self, number: Any) -> str:
        return parsing.phone(number, self.config.default_region)

    def _data(self, response) -> dict[str, Any]:
        """A read's call object: under `data` as the doc shows, or at the top."""
        body = self.http.json_object(response)
        if body.get("success") is False:
            raise InvalidRequest(f"Callmatic refused the request: {body.get('error') or '?'}")
        return payloads.data_of(body)

    def _place(self, name: str, body: dict[str, Any], campaign_id: str) -> dict[str, Any]:
        """A trigger, sent once; its answer as JSON (unreadable = AmbiguousOutcome)."""
        what = _WHAT[name]
        try:
            response = self.http.once(*PATHS[name].target(), what=what, json=body)
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"Callmatic does not know campaign {campaign_id}: check the id against "
                    "the campaign's URL in the Callmatic portal.",
                    status=404,
                ) from exc
            raise
        answer = self.http.once_object(response, what=what)
        if answer.get("success") is False:
            # Callmatic says plainly that it refused: nothing was placed.
            raise InvalidRequest(f"Callmatic refused the request: {answer.get('error') or '?'}")
        return answer

    def _update_from(self, data: Mapping[str, Any], call_id: str, *, event_type: str) -> CallUpdate:
        word = str(data.get("status") or "").strip()
        status = parsing.status_from(STATUS_TABLE, word, label="Callmatic")
        completed = status is CallStatus.COMPLETED
        return CallUpdate(
            provider_call_id=call_id,
            status=status,
            provider_status=word,
            event_type=event_type,
            occurred_at=parsing.timestamp(data.get("endTime") or data.get("startTime"))
            or parsing.timestamp(data.get("triggeredAt")),
            direction=str(data.get("direction") or "outbound").lower(),
            to_number=self._reported(data.get("phoneNumber")),
            duration_seconds=parsing.seconds(data.get("duration")),
            recording_url=self._recording_url(call_id) if completed else "",
            transcript=payloads.transcript(data.get("transcript")),
            summary=payloads.summary(data.get("insights")),
            raw=dict(data),
        )

    def _recording_url(self, call_id: str) -> str:
        return PATHS["recording"].url(self.http.base_url, callId=call_id)


_WHAT = {"trigger_call": "placing the call", "trigger_batch": "queuing the batch of calls"}
# A syntactically valid id no call can have (test_connection's probe).
_PROBE_ID = "00000000-0000-0000-0000-000000000000"
