"""OutboundCalls.ai: AI agents that call a campaign's contact list, with recordings,
transcripts, credits and HMAC-signed webhooks.

Written from its API reference (/work/shared/providers/outboundcalls.txt): the base URL,
`Authorization: Bearer`, 23 endpoints, the campaign body, six webhook events "signed with
HMAC-SHA256" and `X-RateLimit-*` headers on every response (the HTTP client hands those to
the account guard).

Where the doc is silent we decided:
- Every body but the campaign's, every status word and the webhook envelope are our
  guess (marked below); paths and status words live in the two tables at the top.
- A campaign is created on an existing contact list, so `campaign_create` imports the
  first numbers (`spec.numbers`) into a new list, then creates the campaign on it. Our
  entry id rides in each contact's `custom_fields.reference`.
- The signature: the doc names neither header nor signed text. `X-OutboundCalls-Signature`
  is our first guess; the shared verifier (signatures.py) also reads common header names
  and forms, and an admin can name the header and require it on the account page. A
  replay carries the same event `id`, which the inbox stores once (dedupe key).
- There is no single-call endpoint (calls happen inside campaigns) and no stop.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from contacts.phones import InvalidPhoneNumber, normalize_phone
from telephony.providers import http, parsing
from telephony.providers import outboundcalls_payloads as payloads
from telephony.providers.base import (
    AgentInfo,
    AgentSpec,
    AmbiguousOutcome,
    CallStatus,
    CallUpdate,
    Capability,
    CapabilityMissing,
    ContactOptOut,
    CreditsInfo,
    InvalidRequest,
    Provider,
    ProviderError,
    Recording,
    WebhookRejected,
)
from telephony.providers.outboundcalls_campaigns import CampaignsMixin

logger = logging.getLogger(__name__)

BASE_URL = "https://api.outboundcalls.ai/v1"  # doc

# name -> (method, path under BASE_URL, "doc" | "guess"): every path this adapter uses.
# The doc prints them as `/v1/...` under a base URL that already ends in `/v1`.
PATHS: dict[str, tuple[str, str, str]] = {
    "create_agent": ("POST", "/agents", "doc"),
    "list_agents": ("GET", "/agents", "doc"),
    "update_agent": ("PATCH", "/agents/{id}", "doc"),
    "delete_agent": ("DELETE", "/agents/{id}", "doc"),
    "import_contacts": ("POST", "/contacts/import", "doc"),
    "list_contacts": ("GET", "/contacts", "doc"),
    "create_campaign": ("POST", "/campaigns", "doc"),
    "campaign_details": ("GET", "/campaigns/{id}", "doc"),
    "start_campaign": ("POST", "/campaigns/{id}/start", "doc"),
    "pause_campaign": ("POST", "/campaigns/{id}/pause", "doc"),
    "resume_campaign": ("POST", "/campaigns/{id}/resume", "doc"),
    "list_calls": ("GET", "/calls", "doc"),
    "call_details": ("GET", "/calls/{id}", "doc"),
    "call_recording": ("GET", "/calls/{id}/recording", "doc"),
    "call_transcript": ("GET", "/calls/{id}/transcript", "doc"),
    "credit_balance": ("GET", "/credits/balance", "doc"),
    "credit_usage": ("GET", "/credits/usage", "doc"),
}

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

    def __init__(self, config):  # noqa: ANN001 - AccountConfig, as in every adapter
        super().__init__(config)
        self.http = http.HttpClient(
            config,
            label=self.label,
            base_url=BASE_URL,
            auth_headers={"Authorization": f"Bearer {config.credentials.get('api_key', '')}"},
        )

    # -- connection and credits -----------------------------------------------------------
    def test_connection(self) -> str:
        balance = self._get("credit_balance").get("balance")
        return f"OutboundCalls.ai accepted the API key; {balance} credits left."

    def credits(self) -> CreditsInfo:
        balance = self._get("credit_balance").get("balance")
        if payloads.count(balance) is None:
            raise self.http.bad_response("answered the balance without a number")
        usage = self._get("credit_usage", params={"limit": 1}).get("total_credits")
        used = payloads.count(usage)
        return CreditsInfo(
            balance=str(balance),
            currency="credits",  # the doc counts in credits, not money
            used_this_period=None if used is None else str(used),
        )

    # -- agents (its AI agents; only the name maps from our AgentSpec) ------------------------
    def agents_list(self) -> list[AgentInfo]:
        return [self._agent(a) for a in self._pages("list_agents")]

    def agent_create(self, spec: AgentSpec) -> AgentInfo:
        if not spec.name.strip():
            raise InvalidRequest("An OutboundCalls.ai agent needs a name.")
        data = self._once("create_agent", "creating the agent", "id", json={"name": spec.name})
        return self._agent(data)

    def agent_update(self, provider_id: str, spec: AgentSpec) -> AgentInfo:
        if not spec.name.strip():
            raise InvalidRequest("An OutboundCalls.ai agent needs a name.")
        # PATCH sets a value: sending it twice is harmless, so it may be retried.
        data = self._object(
            self.http.read("PATCH", _path("update_agent", provider_id), json={"name": spec.name})
        )
        return self._agent(data)

    def agent_delete(self, provider_id: str) -> None:
        try:
            self.http.read("DELETE", _path("delete_agent", provider_id))
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
            if call.get("id") and created is not None and since <= created < until:
                yield self._update(call, "log")

    def call_details(self, provider_call_id: str) -> CallUpdate:
        try:
            data = self._object(self.http.read("GET", _path("call_details", provider_call_id)))
        except InvalidRequest as exc:
            if exc.status == 404:
                raise InvalidRequest(
                    f"OutboundCalls.ai does not know call {provider_call_id}.", status=404
                ) from exc
            raise
        if not data.get("id"):
            raise self.http.bad_response("returned call details without an id")
        update = self._update(data, "details")
        if update.status in CONNECTED:
            update.transcript = self._transcript(provider_call_id)
        return update

    def _transcript(self, provider_call_id: str) -> list[dict[str, str]] | None:
        try:
            response = self.http.read("GET", _path("call_transcript", provider_call_id))
        except InvalidRequest as exc:
            if exc.status == 404:  # none (yet): the details are still worth having
                return None
            raise
        return payloads.transcript(self._object(response).get("transcript"))

    def fetch_recording(self, url: str) -> Recording:
        # Our API key rides along, so it is only ever sent to this account's own API.
        prefix = self.http.base_url + "/calls/"
        if not url.startswith(prefix) or not url.endswith("/recording"):
            raise InvalidRequest("Not an OutboundCalls.ai recording URL; not fetched.")
        response = self.http.read("GET", url)
        if not response.content:
            raise self.http.bad_response("returned an empty recording")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return Recording(content=response.content, content_type=content_type or "audio/wav")

    # -- webhooks ------------------------------------------------------------------------------
    def webhook_register(self, *, url: str, secret: str) -> None:
        raise CapabilityMissing(
            "OutboundCalls.ai takes its webhook URL and secret in its dashboard (Settings > "
            "Webhooks), not through the API: paste this account's webhook URL there."
        )

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
            if not data.get("id"):
                raise WebhookRejected(f"{event} without a call id")
            update = self._update(data, event)
        else:
            update = payloads.other_update(event, data, self.config.default_region)
        # guess: the envelope's `id` names the event; a redelivery or replay repeats it.
        event_id = payload.get("id")
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

    def _object(self, response) -> dict[str, Any]:  # noqa: ANN001 - requests.Response
        data = self.http.json(response)
        if not isinstance(data, dict):
            raise self.http.bad_response("returned JSON that is not an object")
        return data

    def _get(self, name: str, **kwargs: Any) -> dict[str, Any]:
        return self._object(self.http.read(*_route(name), **kwargs))

    def _once(self, name: str, doing: str, key: str, **kwargs: Any) -> dict[str, Any]:
        """A request that creates or starts something: sent once, since a retry could do it
        twice. Sent but not confirmed (timeout, 5xx, an answer without `key`), it may still
        have been done: ambiguous, never "failed"."""
        unconfirmed = (
            f"OutboundCalls.ai did not confirm {doing}; check its dashboard before trying "
            "again, or it may be done twice."
        )
        method, path, _source = PATHS[name]
        if "{id}" in path:
            path = _path(name, kwargs.pop("provider_id"))
        try:
            response = self.http.place(method, path, **kwargs)
        except AmbiguousOutcome as exc:
            raise AmbiguousOutcome(unconfirmed) from exc
        try:
            data = self._object(response)
            if not data.get(key):
                raise self.http.bad_response(f"answered without {key!r}")
        except ProviderError as exc:
            raise AmbiguousOutcome(f"{exc.message} {unconfirmed}") from exc
        return data

    def _pages(self, name: str, params: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query = {**(params or {}), "page": page, "limit": PAGE_LIMIT}
            data = self._get(name, params=query)
            rows = data.get("data")
            if not isinstance(rows, list):
                raise self.http.bad_response("answered a list without a data array")
            items += [row for row in rows if isinstance(row, dict)]
            if not data.get("has_more") or not rows:
                return items
        raise self.http.bad_response(f"kept answering has_more after {MAX_PAGES} pages")

    def _agent(self, data: Mapping[str, Any]) -> AgentInfo:
        if not data.get("id"):
            raise self.http.bad_response("answered an agent without an id")
        return AgentInfo(provider_id=str(data["id"]), name=str(data.get("name") or ""))

    def _path(self, name: str, provider_id: str) -> str:
        return _path(name, provider_id)

    def _update(self, data: Mapping[str, Any], event_type: str) -> CallUpdate:
        return payloads.call_update(
            data,
            event_type=event_type,
            table=STATUS_TABLE,
            connected=CONNECTED,
            recording_url=self.http.base_url + _path("call_recording", str(data["id"])),
            region=self.config.default_region,
        )


def _route(name: str) -> tuple[str, str]:
    method, path, _source = PATHS[name]
    return method, path


def _path(name: str, provider_id: str) -> str:
    return PATHS[name][1].replace("{id}", quote(provider_id, safe=""))
