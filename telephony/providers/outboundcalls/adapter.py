"""OutboundCalls.ai: AI agents that call a campaign's contact list, with recordings,
transcripts, credits and HMAC-signed webhooks.

Written from its API reference (/work/shared/providers/outboundcalls.txt): the base URL,
`Authorization: Bearer`, 23 endpoints, the campaign body, six webhook events "signed with
HMAC-SHA256" and `X-RateLimit-*` headers on every response (the HTTP client hands those to
the account guard).

Where the doc is silent we decided:
- Every body but the campaign's, every status word and the webhook envelope are our
  guess (marked below); paths live in api.py, status words in the table below.
- A campaign is created on an existing contact list, so `campaign_create` imports the
  first numbers (`spec.numbers`) into a new list, then creates the campaign on it. Our
  entry id rides in each contact's `custom_fields.reference`.
- The signature: the doc names neither header nor signed text. `X-OutboundCalls-Signature`
  is our first guess; the shared verifier (signatures.py) also reads common header names
  and forms, and an admin can name the header and require it on the account page. A
  replay carries the same event `id`, which the inbox stores once (dedupe key).
- There is no single-call endpoint (calls happen inside campaigns) and no stop.
- Answers the doc does not show are read liberally: ids as numbers or text, `id` or
  `<thing>_id` (also under `data`), credit amounts as int, float or numeric text, lists
  with or without `has_more`. A side effect is sent once; a 2xx we cannot read is
  AmbiguousOutcome, and so is one without an id we need back (a new agent, list or
  campaign); start/pause/resume and numbers added to a known list need none.
- A recording is audio by its Content-Type or its first bytes; anything else is refused
  (not permanently) so the audio is asked for again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers.base import (
    AgentInfo,
    AgentSpec,
    CallStatus,
    CallUpdate,
    Capability,
    ContactOptOut,
    CreditsInfo,
    InvalidRequest,
    Provider,
    Recording,
    WebhookRejected,
)
from telephony.providers.kit import http, parsing
from telephony.providers.outboundcalls import payloads
from telephony.providers.outboundcalls.api import BASE_URL, PATHS
from telephony.providers.outboundcalls.campaigns import CampaignsMixin

logger = logging.getLogger(__name__)

# OutboundCalls.ai's call status words: all our guess (the doc names none).
STATUS_TABLE: dict[str, CallStatus] = {
    "queued": CallStatus.QUEUED,
    "ringing": CallStatus.RINGING,
    "in_progress": CallStatus.IN_PROGRESS,
    "completed": CallStatus.COMPLETED,
    "no_answer": CallStatus.NO_ANSWER,
    "busy": CallStatus.BUSY,
    "voicemail": CallStatus.VOICEMAIL,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}
CAMPAIGN_STATUS_TABLE = {w: w for w in ("draft", "running", "paused", "completed")}  # guess
# Calls that connected have a recording and a transcript (guess: the doc ties both to
# "a call connects", call.started).
CONNECTED = frozenset({CallStatus.COMPLETED, CallStatus.VOICEMAIL})
CALL_EVENTS = ("call.started", "call.completed", "call.failed")  # doc
OTHER_EVENTS = ("campaign.completed", "contact.updated", "credits.low")  # doc
SIGNATURE_HEADER = "x-outboundcalls-signature"  # guess: the doc names no header
DO_NOT_CALL = "do_not_call"  # guess: a contact's blocked status
PAGE_LIMIT = 100  # guess: `?page=&limit=` lists answering {data, has_more}
MAX_PAGES = 10_000  # a provider that always says has_more must not loop us forever


class OutboundCallsProvider(CampaignsMixin, Provider):
    kind = "outboundcalls"
    signature_headers = (SIGNATURE_HEADER,)
    label = "OutboundCalls.ai"
    credential_labels = {
        "api_key": (
            "API key",
            "Settings > API Keys in your OutboundCalls.ai dashboard; sent as a Bearer token.",
        ),
    }
    capabilities = frozenset(
        {
            Capability.HOSTED_CAMPAIGN,
            Capability.CALL_DETAILS,
            Capability.CALL_LOGS,
            Capability.RECORDINGS,
            Capability.AGENTS,
            Capability.CONTACTS_OPTOUT,
            Capability.CREDITS,
            Capability.WEBHOOKS,
        }
    )
    campaign_numbers_at_create = True
    campaign_status_table = CAMPAIGN_STATUS_TABLE
    recording_hosts = ("api.outboundcalls.ai",)
    missing = {
        Capability.CLICK_TO_CALL: "OutboundCalls.ai calls with AI agents only; it cannot "
        "bridge a person to a customer.",
        Capability.MASKED_CALL: "OutboundCalls.ai has no number-masked calls.",
        Capability.TTS_CALL: "OutboundCalls.ai has no plain text-to-speech call; its AI "
        "agents speak.",
        Capability.FLOW_CALL: "OutboundCalls.ai has no IVR flows; its AI agents hold the call.",
        Capability.VOICEBOT_CALL: "OutboundCalls.ai has no single-call endpoint: its AI "
        "agents call only inside a campaign. Use a hosted campaign.",
        Capability.DISPOSITION_PUSH: "OutboundCalls.ai's API does not accept dispositions "
        "or notes; they are kept in this dashboard only.",
        Capability.DIDS: "OutboundCalls.ai's API does not list or sell numbers.",
        Capability.EXTENSIONS: "OutboundCalls.ai has no agent extensions; its agents are AI.",
        Capability.TTS_TEMPLATES: "OutboundCalls.ai's agents follow their own prompt; it has "
        "no TTS templates.",
        Capability.SMS: "OutboundCalls.ai's API does not send SMS.",
    }
    not_offered = {
        "campaign_stop": "OutboundCalls.ai's API has no stop: pause the campaign, and it "
        "dials no one more.",
        "webhook_register": "OutboundCalls.ai takes its webhook URL and secret in its "
        "dashboard (Settings > Webhooks), not through the API: paste this account's webhook "
        "URL there.",
    }

    def __init__(self, config):
        super().__init__(config)
        self.http = http.HttpClient(
            config,
            label=self.label,
            base_url=BASE_URL,
            auth_headers={"Authorization": f"Bearer {config.credentials.get('api_key', '')}"},
        )

    # -- connection and credits -----------------------------------------------------------
    def test_connection(self) -> str:
        balance = payloads.amount_text(self._get("credit_balance").get("balance"))
        left = f"{balance} credits left" if balance is not None else "its balance is unreadable"
        return f"OutboundCalls.ai accepted the API key; {left}."

    def credits(self) -> CreditsInfo:
        # The doc shows no balance answer: 1234, 1234.5 and "1234.50" are all a balance.
        balance = payloads.amount_text(self._get("credit_balance").get("balance"))
        if balance is None:
            raise self.http.bad_response("answered the balance without a number")
        usage = self._get("credit_usage", params={"limit": 1}).get("total_credits")
        return CreditsInfo(
            balance=balance,
            currency="credits",  # the doc counts in credits, not money
            used_this_period=payloads.amount_text(usage),
        )

    # -- agents (its AI agents; only the name maps from our AgentSpec) ------------------------
    def agents_list(self) -> list[AgentInfo]:
        agents = [self._agent(a) for a in self._pages("list_agents")]
        return [a for a in agents if a.provider_id]  # a row without an id cannot be used

    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        if not spec.name.strip():
            raise InvalidRequest("An OutboundCalls.ai agent needs a name.")
        what = "creating the agent"
        data = self._once("create_agent", what, json={"name": spec.name})
        return self._agent(data, self.http.confirmed_id(data, ("id", "agent_id"), what=what))

    def agent_update(self, provider_id: str, spec: AgentSpec) -> AgentInfo:
        if not spec.name.strip():
            raise InvalidRequest("An OutboundCalls.ai agent needs a name.")
        # PATCH sets a value: sending it twice is harmless, so it may be retried.
        data = self.http.json_object(
            self.http.read(*PATHS["update_agent"].target(id=provider_id), json={"name": spec.name})
        )
        return self._agent(data, provider_id)  # the agent we renamed, whatever it echoes

    def agent_delete(self, provider_id: str) -> None:
        try:
            self.http.read(*PATHS["delete_agent"].target(id=provider_id))
        except InvalidRequest as exc:
            if exc.status != 404:  # already gone: what we wanted (a retried delete lands here)
                raise

    # -- contacts ------------------------------------------------------------------------------
    def contact_optout_status(self, number: str) -> ContactOptOut:
        e164 = self._e164(number)
        contacts = self._pages("list_contacts", {"phone_number": e164})
        blocked = any(c.get("status") == DO_NOT_CALL for c in contacts)
        return ContactOptOut(number=e164, opted_out=blocked)

    # -- calls ---------------------------------------------------------------------------------
    def call_logs(self, *, since: datetime, until: datetime) -> Iterator[CallUpdate]:
        # The doc gives no date filter: the whole log is paged and filtered here.
        for call in self._pages("list_calls"):
            created = parsing.timestamp(call.get("created_at"))
            call_id = http.first_id(call, "id", "call_id")
            if call_id and created is not None and since <= created < until:
                yield self._update(call, "log", call_id)

    def call_details(self, provider_call_id: str) -> CallUpdate:
        try:
            data = self._get("call_details", provider_call_id)
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"OutboundCalls.ai does not know call {provider_call_id}.", status=404
                ) from exc
            raise
        # The doc shows no details answer: the call we asked about, whatever id it echoes.
        call_id = http.first_id(data, "id", "call_id") or provider_call_id
        update = self._update(data, "details", call_id)
        if update.status in CONNECTED:
            update.transcript = self._transcript(provider_call_id)
        return update

    def _transcript(self, provider_call_id: str) -> list[dict[str, str]] | None:
        try:
            response = self.http.read(*PATHS["call_transcript"].target(id=provider_call_id))
        except InvalidRequest as exc:
            if exc.status == 404:  # none (yet): the details are still worth having
                return None
            raise
        return payloads.transcript(self.http.json_object(response).get("transcript"))

    def fetch_recording(self, url: str) -> Recording:
        # Our API key rides along, so it is only ever sent to this account's own API.
        prefix = self.http.base_url + "/calls/"
        if not url.startswith(prefix) or not url.endswith("/recording"):
            raise InvalidRequest("Not an OutboundCalls.ai recording URL; not fetched.")
        response = self.http.read("GET", url)
        declared = response.headers.get("Content-Type", "")
        content_type = parsing.audio_type(response.content, declared)
        if content_type is None:
            # The doc does not say what this answers. A JSON link or an error page under
            # a 200 is no recording: stored, the audio would never be fetched again. Not
            # permanent: the sync asks again later.
            raise self.http.bad_response(
                f"answered a recording with {declared or 'no content type'} "
                f"({len(response.content)} bytes) that is not audio; it is fetched again later"
            )
        return Recording(content=response.content, content_type=content_type)

    # -- webhooks ------------------------------------------------------------------------------
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[CallUpdate]:
        payload = parsing.webhook_object(body)
        event, data = payload.get("event"), payload.get("data")
        if not isinstance(event, str) or not event:
            raise WebhookRejected("not an OutboundCalls.ai event (no event name)")
        if not isinstance(data, dict):
            raise WebhookRejected(f"{event} without a data object")
        if event not in CALL_EVENTS + OTHER_EVENTS:
            logger.warning("OutboundCalls.ai event %r is not documented; kept raw", event)
        if event.startswith("call."):
            call_id = http.first_id(data, "id", "call_id")
            if not call_id:
                raise WebhookRejected(f"{event} without a call id")
            update = self._update(data, event, call_id)
        else:
            update = payloads.other_update(event, data, self.config.default_region)
        if event == "credits.low":
            # The balance and threshold as decimal text, however they were sent.
            payload = {**payload, "data": payloads.low_credits(data)}
        # guess: the envelope's `id` names the event; a redelivery or replay repeats it.
        event_id = http.first_id(payload, "id", "event_id")
        update.dedupe_key = (
            f"outboundcalls:{event_id}" if event_id else hashlib.sha256(body).hexdigest()
        )
        update.occurred_at = parsing.timestamp(payload.get("created_at")) or update.occurred_at
        update.raw = payload
        return [update]

    # -- internals ---------------------------------------------------------------------------
    def _e164(self, number: str) -> str:
        try:
            return normalize_phone(number, region=self.config.default_region)
        except InvalidPhoneNumber as exc:
            raise InvalidRequest(f"OutboundCalls.ai needs E.164 numbers: {exc}") from exc

    def _get(self, name: str, provider_id: str = "", **kwargs: Any) -> dict[str, Any]:
        """A read of endpoint `name` (its `{id}` filled with `provider_id`): an object."""
        route = PATHS[name].target(id=provider_id)
        return self.http.json_object(self.http.read(*route, **kwargs))

    def _once(
        self, name: str, what: str, *, provider_id: str = "", **kwargs: Any
    ) -> dict[str, Any]:
        """A request that creates or starts something: sent once, since a retry could do it
        twice. Sent but not confirmed (timeout, 5xx, an answer we cannot read), it may
        still have been done: AmbiguousOutcome, never "failed". An empty 2xx is an
        answer without a body (`{}`): whoever needs an id asks `confirmed_id`."""
        route = PATHS[name].target(id=provider_id)
        response = self.http.once(*route, what=what, **kwargs)
        return self.http.once_object(response, what=what, empty_ok=True)

    def _pages(self, name: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query = {**(params or {}), "page": page, "limit": PAGE_LIMIT}
            data = self._get(name, params=query)
            rows = data.get("data")
            if not isinstance(rows, list):
                raise self.http.bad_response("answered a list without a data array")
            items += [row for row in rows if isinstance(row, dict)]
            more = data.get("has_more")
            if more is None:  # no has_more: only a full page may have another after it
                more = len(rows) >= PAGE_LIMIT
            if not more or not rows:
                return items
        raise self.http.bad_response(f"kept answering has_more after {MAX_PAGES} pages")

    def _agent(self, data: Mapping[str, Any], provider_id: str = "") -> AgentInfo:
        found = provider_id or http.first_id(data, "id", "agent_id") or ""
        return AgentInfo(provider_id=found, name=str(data.get("name") or ""))

    def _update(self, data: Mapping[str, Any], event_type: str, call_id: str) -> CallUpdate:
        return payloads.call_update(
            data,
            call_id=call_id,
            event_type=event_type,
            table=STATUS_TABLE,
            connected=CONNECTED,
            recording_url=PATHS["call_recording"].url(self.http.base_url, id=call_id),
            region=self.config.default_region,
        )
