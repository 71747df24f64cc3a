"""CallKaro: AI-agent outbound calls that CallKaro schedules, windows and retries itself.

Written from its public doc (/work/shared/providers/callkaro.txt): `POST /call/outbound`
(agent, international number, metadata, schedule, daily trigger window, carry-over,
retries, priority −100..100), `POST /call/campaign` (a batch that later calls join by
`batch_id`), an `X-API-KEY` header, and errors shaped `{"status": "error", "message": ...}`.

The doc has no way to read a call back (no details, logs or recordings) and no webhook
description; outcomes arrive by the call-ended webhook whose shape the test fake assumes
(`tests/fakes/callkaro.py`), unsigned, so the inbox's secret URL token authenticates it.
Our own reference travels in the call's `metadata` and comes back in that webhook.

Guesses, kept here so a real account can correct them: `schedule_at` and the trigger
window are read by CallKaro in India time (its examples are Indian, with naive times), so
we send them converted to India time; every status word is ours (the doc names none).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta, timezone
from typing import Any

from contacts.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers import http, parsing
from telephony.providers.base import (
    AddNumbersResult,
    AmbiguousOutcome,
    AuthenticationFailed,
    CallPlaced,
    CallStatus,
    CallUpdate,
    CampaignNumber,
    Capability,
    CapabilityMissing,
    HostedCampaignSpec,
    HostedCampaignStatus,
    InvalidRequest,
    OutboundCallRequest,
    Provider,
    ProviderError,
    WebhookRejected,
)

BASE_URL = "https://api.callkaro.ai"

# name -> (method, path under BASE_URL, "doc" | "guess"): every path this adapter uses.
PATHS: dict[str, tuple[str, str, str]] = {
    "outbound_call": ("POST", "/call/outbound", "doc"),
    "create_campaign": ("POST", "/call/campaign", "doc"),
}

# The doc names no status words; these are our guess (snake_case like its field names).
STATUS_TABLE: dict[str, CallStatus] = {
    "scheduled": CallStatus.QUEUED,  # guess: waiting for schedule_at, the window or a retry
    "queued": CallStatus.QUEUED,  # guess
    "ringing": CallStatus.RINGING,  # guess
    "in_progress": CallStatus.IN_PROGRESS,  # guess
    "completed": CallStatus.COMPLETED,  # guess
    "no_answer": CallStatus.NO_ANSWER,  # guess
    "busy": CallStatus.BUSY,  # guess
    "failed": CallStatus.FAILED,  # guess
    "voicemail": CallStatus.VOICEMAIL,  # guess
    # guess: the window closed without carry_over, so it was never dialed
    "expired": CallStatus.CANCELED,
    "canceled": CallStatus.CANCELED,  # guess
    "cancelled": CallStatus.CANCELED,  # guess
}

PRIORITY_RANGE = (-100, 100)  # doc: "Priority of the call [-100,100]"
IST = timezone(timedelta(hours=5, minutes=30), "IST")  # guess: CallKaro's clock
REFERENCE_KEY = "callcenter_reference"  # our Call / CampaignEntry id inside `metadata`
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

NO_AGENT = (
    "No CallKaro agent id: choose a voicebot whose id is the CallKaro agent id, or set the "
    "account's agent_id (copy it from the agent in the CallKaro dashboard)."
)


class CallKaroProvider(Provider):
    kind = "callkaro"
    label = "CallKaro"
    credential_fields = ("api_key", "agent_id")
    capabilities = frozenset(
        {Capability.VOICEBOT_CALL, Capability.HOSTED_CAMPAIGN, Capability.WEBHOOKS}
    )
    missing = {
        Capability.CLICK_TO_CALL: "CallKaro only places AI-agent calls; it cannot bridge a "
        "human agent to a customer.",
        Capability.MASKED_CALL: "CallKaro has no number-masked calls between two parties.",
        Capability.TTS_CALL: "CallKaro speaks through its AI agents; it has no plain "
        "text-to-speech call.",
        Capability.FLOW_CALL: "CallKaro has no IVR flows; its calls run an AI agent.",
        Capability.CALL_DETAILS: "CallKaro's API cannot read a call back: its outcome "
        "arrives only by the call-ended webhook.",
        Capability.CALL_LOGS: "CallKaro's API has no call log: outcomes arrive only by the "
        "call-ended webhook, so a lost webhook cannot be recovered from CallKaro.",
        Capability.RECORDINGS: "CallKaro's API offers no recordings.",
        Capability.DISPOSITION_PUSH: "CallKaro's API does not accept dispositions or notes; "
        "they are kept in this dashboard only.",
        Capability.DIDS: "CallKaro's API does not list or sell numbers.",
        Capability.AGENTS: "CallKaro's AI agents are set up in the CallKaro dashboard; its "
        "API cannot create or list them.",
        Capability.EXTENSIONS: "CallKaro has no agent extensions.",
        Capability.TTS_TEMPLATES: "CallKaro's prompts live in its agents, set up in the "
        "CallKaro dashboard.",
        Capability.SMS: "CallKaro's API does not send SMS.",
        Capability.CONTACTS_OPTOUT: "CallKaro's API keeps no contacts or opt-outs; use this "
        "dashboard's DNC lists.",
        Capability.CREDITS: "CallKaro's API does not report a balance.",
    }

    def __init__(self, config):
        super().__init__(config)
        self.http = http.HttpClient(
            config,
            label=self.label,
            base_url=BASE_URL,
            auth_headers={"X-API-KEY": config.credentials.get("api_key", "")},
        )

    # -- connection ------------------------------------------------------------------------
    def test_connection(self) -> str:
        # The doc has no read endpoint. An empty campaign request is checked for the key
        # first and then refused for its missing name, so nothing is created or dialed.
        self._require_key()
        try:
            self.http.read(*_route("create_campaign"), json={})
        except InvalidRequest as exc:
            if exc.status != 400:
                raise
        agent = self.config.credentials.get("agent_id", "")
        suffix = f"; calls use agent {agent}" if agent else ""
        return f"CallKaro accepted the API key{suffix}."

    # -- placing calls -----------------------------------------------------------------------
    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._require_key()
        agent_id = request.bot_id or self.config.credentials.get("agent_id", "")
        if not agent_id:
            raise InvalidRequest(NO_AGENT)
        body = {
            "to_number": self._international(request.to_number),
            "agent_id": agent_id,
            "metadata": _metadata(request.variables, request.reference),
            **_schedule(request),
        }
        answer = self._place(body, agent_id=agent_id)
        return CallPlaced(provider_call_id=answer["call_id"], status=CallStatus.QUEUED, raw=answer)

    # -- hosted campaigns --------------------------------------------------------------------
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        self._require_key()
        agent_id = spec.bot_id or self.config.credentials.get("agent_id", "")
        if not agent_id:
            raise InvalidRequest(NO_AGENT)
        if not spec.name.strip():
            raise InvalidRequest("A CallKaro campaign needs a name.")
        # Retried like a read: creating a batch dials no one, so a repeat after a lost
        # answer costs at most an empty batch, never a call.
        try:
            response = self.http.read(
                *_route("create_campaign"), json={"name": spec.name, "agent_id": agent_id}
            )
        except InvalidRequest as exc:
            if exc.status == 404:
                raise self._unknown(exc, agent_id=agent_id) from exc
            raise
        body = self._body(response)
        if not body.get("batch_id"):
            raise self.http.bad_response("created a campaign but returned no batch_id")
        return str(body["batch_id"])

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """One call per number, each carrying the batch id (the doc has no bulk endpoint).

        A number CallKaro refuses is rejected alone. An error that stops the push carries
        `partial_result` (the calls already placed); after AmbiguousOutcome the first
        number neither placed nor rejected is the one in doubt.
        """
        self._require_key()
        if not provider_id:
            raise InvalidRequest("No CallKaro campaign (batch) id.")
        rejected: list[tuple[str, str]] = []
        provider_ids: dict[str, str] = {}
        for number in numbers:
            try:
                body = {
                    "to_number": self._international(number.number),
                    "batch_id": provider_id,
                    "metadata": _metadata(_with_name(number), number.reference),
                }
                answer = self._place(body, batch_id=provider_id)
                provider_ids[number.reference] = answer["call_id"]
            except InvalidRequest as exc:
                if exc.status == 404:  # the batch or its agent is gone: all would fail
                    exc.partial_result = _result(provider_ids, rejected)
                    raise
                rejected.append((number.number, exc.message))
            except ProviderError as exc:
                # Rate limited, ambiguous or down: stop; calls already placed stay placed.
                exc.partial_result = _result(provider_ids, rejected)
                raise
        return _result(provider_ids, rejected)

    def campaign_start(self, provider_id: str) -> None:
        raise CapabilityMissing(
            "CallKaro's API has no start: each number is dialed as soon as it is added "
            "(or at its scheduled time)."
        )

    def campaign_pause(self, provider_id: str) -> None:
        raise CapabilityMissing(_NO_CONTROL.format(action="pause"))

    def campaign_resume(self, provider_id: str) -> None:
        raise CapabilityMissing(_NO_CONTROL.format(action="resume"))

    def campaign_stop(self, provider_id: str) -> None:
        raise CapabilityMissing(_NO_CONTROL.format(action="stop"))

    def campaign_status(self, provider_id: str) -> HostedCampaignStatus:
        raise CapabilityMissing(
            "CallKaro's API has no campaign status; progress is counted from each call's "
            "call-ended webhook."
        )

    def campaign_results(self, provider_id: str):
        raise CapabilityMissing(
            "CallKaro's API cannot list a campaign's calls; each outcome arrives by the "
            "call-ended webhook."
        )

    def list_voicebots(self):
        raise CapabilityMissing(
            "CallKaro's API cannot list agents: copy the agent id from the CallKaro dashboard."
        )

    # -- webhooks ----------------------------------------------------------------------------
    def webhook_register(self, *, url: str, secret: str) -> None:
        raise CapabilityMissing(
            "CallKaro's API cannot register a webhook: paste this account's webhook URL into "
            "the CallKaro dashboard."
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        payload = parsing.webhook_object(body)
        if not payload.get("call_id") or not isinstance(payload.get("status"), str):
            raise WebhookRejected("missing call_id or status")
        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
        word = payload["status"]
        event = str(payload.get("event") or "call.ended")
        # One event per call ending; a redelivery carries the same call, status and attempts.
        ending = f"{payload['call_id']}:{event}:{word}:{payload.get('attempts', '')}"
        return [
            CallUpdate(
                provider_call_id=str(payload["call_id"]),
                status=parsing.status_from(STATUS_TABLE, word, label="CallKaro"),
                provider_status=word,
                dedupe_key="callkaro:" + hashlib.sha256(ending.encode()).hexdigest()[:40],
                event_type=event,
                occurred_at=parsing.timestamp(payload.get("ended_at")),
                direction="outbound",
                to_number=str(payload.get("to_number") or ""),
                duration_seconds=parsing.whole_seconds(payload.get("duration")),
                reference=str(metadata.get(REFERENCE_KEY) or ""),
                raw=payload,
            )
        ]

    # -- internals ---------------------------------------------------------------------------
    def _require_key(self) -> None:
        if not self.config.credentials.get("api_key"):
            raise AuthenticationFailed("The CallKaro API key is not set on this account.")

    def _international(self, number: str) -> str:
        try:
            return normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(str(exc)) from exc

    def _place(
        self, body: dict[str, Any], *, agent_id: str = "", batch_id: str = ""
    ) -> dict[str, Any]:
        try:
            response = self.http.place(*_route("outbound_call"), json=body)
        except InvalidRequest as exc:
            if exc.status == 404:
                raise self._unknown(exc, agent_id=agent_id, batch_id=batch_id) from exc
            raise
        try:
            answer = self._body(response)
            if not answer.get("call_id"):
                raise self.http.bad_response("accepted the call but returned no call_id")
        except InvalidRequest:
            raise  # CallKaro said plainly that it refused: nothing was placed
        except ProviderError as exc:
            # A 2xx we cannot read: the call may well be placed, so never report "failed".
            raise AmbiguousOutcome(f"{exc.message} {_IN_DOUBT}") from exc
        return {**answer, "call_id": str(answer["call_id"])}

    def _body(self, response) -> dict[str, Any]:
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise self.http.bad_response("returned JSON that is not an object")
        if body.get("status") == "error":
            raise InvalidRequest(f"CallKaro refused the request: {body.get('message') or '?'}")
        return body

    def _unknown(self, exc: InvalidRequest, *, agent_id: str = "", batch_id: str = ""):
        """The doc's 404 names no id; say which one, and what to do about it."""
        if batch_id and "batch" in exc.message.lower():
            return InvalidRequest(
                f"CallKaro does not know campaign (batch) {batch_id}.", status=404
            )
        which = f"agent {agent_id}" if agent_id else "this campaign's agent"
        return InvalidRequest(
            f"CallKaro does not know {which}: check the agent id in the CallKaro dashboard.",
            status=404,
        )


_IN_DOUBT = "The call may have been placed; it is not redialed until CallKaro reports it."
_NO_CONTROL = (
    "CallKaro's API cannot {action} a campaign; numbers already added stay scheduled at "
    "CallKaro. The dashboard stops adding numbers to it."
)


def _route(name: str) -> tuple[str, str]:
    method, path, _source = PATHS[name]
    return method, path


def _result(provider_ids: dict[str, str], rejected: list[tuple[str, str]]) -> AddNumbersResult:
    return AddNumbersResult(
        accepted=len(provider_ids), rejected=tuple(rejected), provider_ids=dict(provider_ids)
    )


def _with_name(number: CampaignNumber) -> dict[str, Any]:
    variables = dict(number.variables)
    if number.name:
        variables.setdefault("name", number.name)  # the doc's own example key
    return variables


def _metadata(variables: Mapping[str, Any], reference: str) -> dict[str, Any]:
    # Echoed in the call-ended webhook, so the event finds its call even before the
    # placing request's answer (with CallKaro's call id) has been stored.
    return {**variables, REFERENCE_KEY: reference}


def _schedule(request: OutboundCallRequest) -> dict[str, Any]:
    """The optional scheduling fields, validated here so a bad one is never sent."""
    out: dict[str, Any] = {}
    low, high = PRIORITY_RANGE
    if isinstance(request.priority, bool) or not isinstance(request.priority, int):
        raise InvalidRequest("CallKaro priority must be a whole number.")
    if not low <= request.priority <= high:
        raise InvalidRequest(
            f"CallKaro priority must be between {low} and {high} (got {request.priority})."
        )
    out["priority"] = request.priority
    if request.schedule_at is not None:
        if request.schedule_at.tzinfo is None:
            raise InvalidRequest("schedule_at needs a time zone.")
        out["schedule_at"] = request.schedule_at.astimezone(IST).strftime("%Y-%m-%dT%H:%M:%S")
    for field, value in (
        ("min_trigger_time", request.window_start),
        ("max_trigger_time", request.window_end),
    ):
        if value:
            if not _HHMM.match(value):
                raise InvalidRequest(f"The calling window needs HH:MM times (got {value!r}).")
            out[field] = value
    if request.window_start and request.window_end and request.window_start >= request.window_end:
        raise InvalidRequest("The calling window must start before it ends.")
    if request.carry_over:
        out["carry_over"] = True
    if request.retries < 0:
        raise InvalidRequest("The number of retries cannot be negative.")
    if request.retries:
        out["number_of_retries"] = request.retries
        gaps = list(request.retry_gaps_minutes)
        if any(isinstance(g, bool) or not isinstance(g, int) or g < 0 for g in gaps):
            raise InvalidRequest("Gaps between retries must be whole minutes, 0 or more.")
        if gaps:
            # The doc takes one number, or a list when the gaps differ.
            out["gap_between_retries"] = gaps[0] if len(gaps) == 1 else gaps
    return out
