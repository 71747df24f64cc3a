"""CallKaro: AI-agent outbound calls that CallKaro schedules, windows and retries itself.

Written from its public doc (/work/shared/providers/callkaro.txt): `POST /call/outbound`
(agent, international number, metadata, schedule, daily trigger window, carry-over,
retries, priority −100..100), `POST /call/campaign` (a batch that later calls join by
`batch_id`), an `X-API-KEY` header, and errors shaped `{"status": "error", "message": ...}`.

Every request but the connection probe has a side effect (a call, or a batch), so each is
sent once (`HttpClient.once`): a 2xx we cannot read, or one without the id, is
`AmbiguousOutcome` and nothing is sent again until someone checks.

The doc's field table requires `agent_id` on every call, a campaign's too (its "schedule
campaign" example leaves it out; we follow the table). A campaign's calls carry the
account's `agent_id`, the only agent `campaign_add_numbers` can know, so a campaign is
created only with that agent.

The doc has no way to read a call back (no details, logs or recordings) and no webhook
description; outcomes arrive by a call-ended webhook read liberally (payloads.py),
unsigned, so the inbox's secret URL token authenticates it. Our own reference travels in
the call's `metadata` and comes back in that webhook.

Guesses, kept here so a real account can correct them: `schedule_at` and the trigger
window are read by CallKaro in India time (its examples are Indian, with naive times), so
we send them converted to India time; every status word is ours (the doc names none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    AddNumbersResult,
    AmbiguousOutcome,
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
)
from telephony.providers.callkaro import payloads
from telephony.providers.callkaro.api import BASE_URL, PATHS
from telephony.providers.callkaro.payloads import PRIORITY_RANGE, REFERENCE_KEY  # noqa: F401
from telephony.providers.kit import http

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

BATCH_ID_KEYS = ("batch_id", "id", "campaign_id")  # the doc answers `batch_id`

NO_AGENT = (
    "No CallKaro agent id: choose a voicebot whose id is the CallKaro agent id, or set the "
    "account's agent_id (copy it from the agent in the CallKaro dashboard)."
)
_NO_CONTROL = (
    "CallKaro's API cannot {action} a campaign; numbers already added stay scheduled at "
    "CallKaro. The dashboard stops adding numbers to it."
)

NO_CAMPAIGN_AGENT = (
    "CallKaro needs the agent id on every number of a campaign, and the number requests "
    "can only carry the account's agent_id: set the account's agent_id (copy it from the "
    "agent in the CallKaro dashboard)."
)


class CallKaroProvider(Provider):
    kind = "callkaro"
    label = "CallKaro"
    credential_fields = ("api_key", "agent_id")
    credential_labels = {
        "api_key": (
            "API key",
            "Sent as X-API-KEY; from your CallKaro Dashboard.",
        ),
        "agent_id": (
            "Agent ID (agent_id)",
            "The CallKaro agent that handles the calls.",
        ),
    }
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
    not_offered = {
        "campaign_start": "CallKaro's API has no start: each number is dialed as soon as it "
        "is added (or at its scheduled time).",
        "campaign_pause": _NO_CONTROL.format(action="pause"),
        "campaign_resume": _NO_CONTROL.format(action="resume"),
        "campaign_stop": _NO_CONTROL.format(action="stop"),
        "campaign_status": "CallKaro's API has no campaign status; progress is counted from "
        "each call's call-ended webhook.",
        "campaign_results": "CallKaro's API cannot list a campaign's calls; each outcome "
        "arrives by the call-ended webhook.",
        "list_voicebots": "CallKaro's API cannot list agents: copy the agent id from the "
        "CallKaro dashboard.",
        "webhook_register": "CallKaro's API cannot register a webhook: paste this account's "
        "webhook URL into the CallKaro dashboard.",
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
        # first and then refused for its missing name and agent, so nothing is created or
        # dialed. It is still a POST to a creating endpoint, so it is sent once too.
        self._require_key()
        try:
            self.http.once(*PATHS["create_campaign"].target(), what="checking the API key", json={})
        except InvalidRequest as exc:
            if exc.status != 400:
                raise
        except AmbiguousOutcome as exc:
            # A request meant to be refused has nothing in doubt: just no answer.
            raise ProviderError(
                "CallKaro gave no usable answer to the API key check; try again."
            ) from exc
        agent = self._account_agent()
        suffix = f"; calls use agent {agent}" if agent else ""
        return f"CallKaro accepted the API key{suffix}."

    # -- placing calls -----------------------------------------------------------------------
    def voicebot_call(self, request: OutboundCallRequest) -> CallPlaced:
        self._require_key()
        agent_id = request.bot_id or self._account_agent()
        if not agent_id:
            raise InvalidRequest(NO_AGENT)
        body = {
            "to_number": self._international(request.to_number),
            "agent_id": agent_id,
            "metadata": payloads.metadata(request.variables, request.reference),
            **payloads.schedule(
                priority=request.priority,
                schedule_at=request.schedule_at,
                window_start=request.window_start,
                window_end=request.window_end,
                carry_over=request.carry_over,
                retries=request.retries,
                retry_gaps_minutes=request.retry_gaps_minutes,
            ),
        }
        call_id, answer = self._place(body, agent_id=agent_id)
        return CallPlaced(provider_call_id=call_id, status=CallStatus.QUEUED, raw=answer)

    # -- hosted campaigns --------------------------------------------------------------------
    def campaign_create(self, spec: HostedCampaignSpec) -> str:
        """`POST /call/campaign` with the doc's two fields, sent once: every retry of a lost
        answer would leave one more batch at CallKaro."""
        self._require_key()
        agent_id = self._campaign_agent(spec)
        if not spec.name.strip():
            raise InvalidRequest("A CallKaro campaign needs a name.")
        what = "creating the campaign"
        try:
            response = self.http.once(
                *PATHS["create_campaign"].target(),
                what=what,
                json={"name": spec.name, "agent_id": agent_id},
            )
        except InvalidRequest as exc:
            if exc.status == 404:
                raise self._unknown(exc, agent_id=agent_id) from exc
            raise
        answer = self._answer(response, what=what)
        return self.http.confirmed_id(answer, BATCH_ID_KEYS, what=what)

    def campaign_add_numbers(
        self, provider_id: str, numbers: Sequence[CampaignNumber]
    ) -> AddNumbersResult:
        """One call per number, each carrying the batch id and the account's agent id (the
        doc has no bulk endpoint, and its field table requires `agent_id`).

        A number CallKaro refuses is rejected alone. An error that stops the push carries
        `partial_result` (the calls already placed); after AmbiguousOutcome the first
        number neither placed nor rejected is the one in doubt.
        """
        self._require_key()
        if not provider_id:
            raise InvalidRequest("No CallKaro campaign (batch) id.")
        agent_id = self._account_agent()
        if not agent_id:
            raise InvalidRequest(NO_CAMPAIGN_AGENT)
        rejected: list[tuple[str, str]] = []
        provider_ids: dict[str, str] = {}
        for number in numbers:
            try:
                body = {
                    "to_number": self._international(number.number),
                    "agent_id": agent_id,
                    "batch_id": provider_id,
                    "metadata": payloads.metadata(
                        payloads.number_variables(number), number.reference
                    ),
                    **payloads.campaign_schedule(number.campaign, now=datetime.now(UTC)),
                }
                provider_ids[number.reference], _ = self._place(
                    body, agent_id=agent_id, batch_id=provider_id
                )
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

    # -- webhooks ----------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        return [
            payloads.webhook_update(
                body, region=self.config.default_region, status_table=STATUS_TABLE
            )
        ]

    # -- internals ---------------------------------------------------------------------------
    def _require_key(self) -> None:
        if not self.config.credentials.get("api_key"):
            raise AuthenticationFailed("The CallKaro API key is not set on this account.")

    def _account_agent(self) -> str:
        return str(self.config.credentials.get("agent_id") or "").strip()

    def _campaign_agent(self, spec: HostedCampaignSpec) -> str:
        """The agent of the batch: the one its numbers will carry (see the module doc)."""
        agent_id = self._account_agent()
        if not agent_id:
            raise InvalidRequest(NO_CAMPAIGN_AGENT)
        if spec.bot_id and spec.bot_id != agent_id:
            raise InvalidRequest(
                f"This campaign's voicebot is CallKaro agent {spec.bot_id}, but its numbers "
                f"can only carry the account's agent_id ({agent_id}): choose the voicebot "
                "of that agent, or use an account whose agent_id is this one."
            )
        return agent_id

    def _international(self, number: str) -> str:
        try:
            return normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(str(exc)) from exc

    def _place(
        self, body: dict[str, Any], *, agent_id: str = "", batch_id: str = ""
    ) -> tuple[str, dict[str, Any]]:
        """`POST /call/outbound`, sent once; (CallKaro's call id, its answer)."""
        what = "placing the call"
        try:
            response = self.http.once(*PATHS["outbound_call"].target(), what=what, json=body)
        except InvalidRequest as exc:
            if exc.status == 404:
                raise self._unknown(exc, agent_id=agent_id, batch_id=batch_id) from exc
            raise
        answer = self._answer(response, what=what)
        return self.http.confirmed_id(answer, payloads.CALL_ID_KEYS, what=what), answer

    def _answer(self, response, *, what: str) -> dict[str, Any]:
        """A side-effect answer: unreadable or not an object = AmbiguousOutcome; the doc's
        error shape under a 2xx is a plain refusal (CallKaro says it did nothing)."""
        body = self.http.once_object(response, what=what)
        if str(body.get("status") or "").lower() == "error":
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


def _result(provider_ids: dict[str, str], rejected: list[tuple[str, str]]) -> AddNumbersResult:
    return AddNumbersResult(
        accepted=len(provider_ids), rejected=tuple(rejected), provider_ids=dict(provider_ids)
    )
