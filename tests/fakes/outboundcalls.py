"""Stateful HTTP fake of OutboundCalls.ai, written from its public API reference
(/work/shared/providers/outboundcalls.txt).

The doc gives: the base URL `https://api.outboundcalls.ai/v1`, `Authorization: Bearer
<key>`, 23 endpoints (agents, contacts and import, campaigns with start/pause/resume,
calls with recording and transcript, credits), the campaign body (`name`, `agent_id`,
`contact_list_id`, `schedule` with `start_date`, `calling_hours` and `timezone`,
`retry_rules` with `max_attempts` and `delay_minutes`, `concurrent_calls`) and the `id` of
its answer, six webhook events "signed with HMAC-SHA256", the tiers (Standard: 100 req/min,
10 concurrent; Professional: 500 req/min, 50 concurrent) and `X-RateLimit-Remaining` and
`X-RateLimit-Reset` on every response.

The doc does not give: any other body, any error body or status code, any status word,
the webhook payload, the signature's header or signing input, the unit of
`X-RateLimit-Reset`, what a credit buys, or the `credits.low` threshold. Our choices are
marked "guess" where they are made, so a real account can correct them in one place.

Error shape (guess) for every error: `{"error": "<message>"}`, the base fake's shape, with
401 (key), 400 (body), 404 (unknown id), 409 (wrong campaign state) and 429 (rate).

Signature (guess where the doc is silent): the HMAC-SHA256 of the raw request body keyed
with the webhook secret, no timestamp; its header (X-OutboundCalls-Signature or
X-Signature) and form (hex, base64, `sha256=`hex) vary, as do the other shapes the doc
does not give (ids as numbers or text, `id` or `agent_id`, the import's list id, the
start/pause/resume answers, credit amounts, `has_more`): see outboundcalls_shapes.py.

Like the real service, the fake serves under `/v1`: point an adapter at `fake.base_url`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import random
import re
import wave
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from heapq import heappop, heappush
from itertools import count
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.outboundcalls_shapes import CHANGE_ANSWERS, LIST_ID_KEYS, RECORDING_TYPES, Shapes

# name -> (method, path relative to BASE_URL, "doc" | "guess"). Adapters import this table so
# every OutboundCalls.ai path lives in one place; the fake registers its routes from it too.
# The doc prints every path (as `/v1/...` under a base URL that already ends in `/v1`; its
# curl example shows the real form, `https://api.outboundcalls.ai/v1/campaigns`).
PATHS: dict[str, tuple[str, str, str]] = {
    "create_agent": ("POST", "/agents", "doc"),
    "list_agents": ("GET", "/agents", "doc"),
    "agent_details": ("GET", "/agents/{id}", "doc"),
    "update_agent": ("PATCH", "/agents/{id}", "doc"),
    "delete_agent": ("DELETE", "/agents/{id}", "doc"),
    "create_contact": ("POST", "/contacts", "doc"),
    "import_contacts": ("POST", "/contacts/import", "doc"),
    "list_contacts": ("GET", "/contacts", "doc"),
    "update_contact": ("PATCH", "/contacts/{id}", "doc"),
    "delete_contact": ("DELETE", "/contacts/{id}", "doc"),
    "create_campaign": ("POST", "/campaigns", "doc"),
    "list_campaigns": ("GET", "/campaigns", "doc"),
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
    "purchase_credits": ("POST", "/credits/purchase", "doc"),
}
BASE_URL = "https://api.outboundcalls.ai/v1"  # doc
BASE_PATH = "/v1"  # the path part of BASE_URL; the fake serves PATHS under it
AUTH_HEADER = "Authorization"  # doc: "Authorization: Bearer YOUR_API_KEY"
SIGNATURE_HEADER = "X-OutboundCalls-Signature"  # guess: the doc names no header
RATE_HEADERS = ("X-RateLimit-Remaining", "X-RateLimit-Reset")  # doc

# OutboundCalls.ai's own status words for a call: all our guess (the doc names none), in the
# snake_case of its field names. An adapter maps them to the unified vocabulary.
STATUS_WORDS: dict[str, str] = {
    "queued": "guess",
    "ringing": "guess",
    "in_progress": "guess",
    "completed": "guess",
    "no_answer": "guess",
    "busy": "guess",
    "voicemail": "guess",
    "failed": "guess",
}
TERMINAL_STATUSES = frozenset({"completed", "no_answer", "busy", "voicemail", "failed"})
# Calls that "connect to the recipient" (doc, call.started): they fire call.started and
# call.completed, cost credits and have a recording and a transcript. The others fire
# call.failed ("fails to connect").
CONNECTED_STATUSES = frozenset({"completed", "voicemail"})
CAMPAIGN_STATUS_WORDS = ("draft", "running", "paused", "completed")  # guess
# guess: a contact's status after calls ("contact.updated: when a contact status changes
# after a call"); `do_not_call` is also what a client may PATCH to stop calls to it.
CONTACT_STATUS_WORDS = ("new", "retrying", "called", "unreachable", "do_not_call")
# guess: what the agent concluded on a completed call ("includes transcript and outcome").
OUTCOME_WORDS = ("interested", "not_interested", "callback_requested", "do_not_call")

# How a call ends when no test forces it, and what a completed call concluded (out of 100).
OUTCOME_WEIGHTS = (
    ("completed", 55),
    ("no_answer", 15),
    ("busy", 10),
    ("voicemail", 10),
    ("failed", 10),
)
VERDICT_WEIGHTS = (
    ("interested", 30),
    ("not_interested", 40),
    ("callback_requested", 20),
    ("do_not_call", 10),
)

# guess: a credit per started minute of a connected call; unconnected attempts are free.
CREDITS_PER_MINUTE = 1
DEFAULT_CREDITS = 1000
DEFAULT_LOW_CREDIT_THRESHOLD = 100  # guess: the doc says "below threshold" without a value
PAGE_SIZE, MAX_PAGE_SIZE = 50, 100  # guess: lists answer {"data", "page", "limit", ...}

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
_AGENT_FIELDS = ("name", "voice", "language", "prompt", "first_message")
_CONTACT_FIELDS = (
    "phone_number",
    "first_name",
    "last_name",
    "email",
    "timezone",
    "list_id",
    "custom_fields",
)
_CAMPAIGN_FIELDS = (
    "name",
    "agent_id",
    "contact_list_id",
    "schedule",
    "retry_rules",
    "concurrent_calls",
)


def sign(secret: str, body: bytes) -> str:
    """The value of SIGNATURE_HEADER for a webhook `body` (what our inbox must recompute)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class OutboundCall:
    """One call attempt of a campaign; `details()` is GET /v1/calls/{id}."""

    id: str
    seq: int
    campaign_id: str
    agent_id: str
    contact_id: str
    phone_number: str
    attempt: int
    created_at: datetime
    verdict: str = field(default="", repr=False)  # the outcome if the call completes
    status: str = "queued"
    outcome: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    credits_used: int = 0
    transcript: list[dict[str, str]] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "campaign_id": self.campaign_id,
            "agent_id": self.agent_id,
            "contact_id": self.contact_id,
            "phone_number": self.phone_number,
            "status": self.status,
            "outcome": self.outcome,
            "attempt": self.attempt,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration_seconds": self.duration_seconds,
            "credits_used": self.credits_used,
        }


@dataclass
class CampaignEntry:
    """One contact's progress through a campaign."""

    contact_id: str
    attempts: int = 0
    next_at: datetime | None = None  # no retry before this
    state: str = "pending"  # pending | dialing | done | skipped


@dataclass
class OutboundCampaign:
    id: str
    name: str
    agent_id: str
    contact_list_id: str
    schedule: dict[str, Any]
    retry_rules: dict[str, int]
    concurrent_calls: int
    created_at: datetime
    status: str = "draft"
    started_at: datetime | None = None
    completed_at: datetime | None = None
    entries: dict[str, CampaignEntry] = field(default_factory=dict)  # filled on start
    call_ids: list[str] = field(default_factory=list)
    active: int = 0  # calls not yet ended

    def in_window(self, now: datetime) -> bool:
        """Whether `now` is on or after the start date and inside calling hours, both read
        in the campaign's time zone (zero-padded ISO strings compare like the values)."""
        local = now.astimezone(ZoneInfo(self.schedule["timezone"]))
        start_date = self.schedule["start_date"]
        if start_date and local.date().isoformat() < start_date:
            return False
        hours = self.schedule["calling_hours"]
        return hours is None or hours["start"] <= local.strftime("%H:%M") < hours["end"]

    def finished(self) -> bool:
        done = all(e.state in ("done", "skipped") for e in self.entries.values())
        return self.active == 0 and done


class OutboundCallsFake(FakeProviderServer):
    """OutboundCalls.ai over real HTTP on 127.0.0.1; running campaigns dial on `advance()`."""

    name = "outboundcalls"

    def __init__(
        self,
        *,
        api_key: str = "oc-test-key",
        webhook_secret: str = "oc-webhook-secret",
        seed: int = 0,
        tier_limit_per_minute: int = 100,
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.seed = seed
        self.tier_limit_per_minute = tier_limit_per_minute
        # The doc's tiers pair 100 req/min with 10 concurrent calls and 500 with 50.
        self.max_concurrent_calls = max(1, tier_limit_per_minute // 10)
        self.agents: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, list[str]] = {}  # list id -> contact ids, in import order
        self.campaigns: dict[str, OutboundCampaign] = {}
        self.calls: dict[str, OutboundCall] = {}
        self.credits = DEFAULT_CREDITS
        self.low_credit_threshold = DEFAULT_LOW_CREDIT_THRESHOLD
        self.usage: list[dict[str, Any]] = []
        self.purchases: list[dict[str, Any]] = []
        self.webhook_failures: list[tuple[dict[str, Any], str]] = []
        self._low_sent = False  # credits.low fires once per drop below the threshold
        self._forced: dict[str, str] = {}  # number -> terminal status
        self._ids = random.Random(f"outboundcalls-ids-{seed}")
        #: where the doc is silent, answers alternate between shapes (outboundcalls_shapes)
        self.shapes = Shapes(seed)
        self._numbers = count(500_001)  # numeric call and contact ids
        self._issued: set[str] = set()
        self._queue: list[tuple[datetime, int, Any]] = []  # (due, order, action(at))
        self._order = count()
        self._active_calls = 0
        self._outbox: list[dict[str, Any]] = []  # webhooks waiting for the lock's release
        self._window: datetime | None = None
        self._window_used = 0
        super().__init__()
        self._played_to = self.clock  # how far `on_tick` has played the world

    # -- test helpers --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What an adapter uses in place of BASE_URL."""
        return self.url + BASE_PATH

    def force_outcome(self, number: str, status: str | None) -> None:
        """Make every attempt to `number` dialed from now on end with `status` (None: stop)."""
        if status is not None and status not in TERMINAL_STATUSES:
            raise ValueError(f"{status!r} is not one of {sorted(TERMINAL_STATUSES)}")
        with self._lock:
            if status is None:
                self._forced.pop(number, None)
            else:
                self._forced[number] = status

    def set_credits(self, balance: int) -> None:
        """Set the balance. Sends nothing: credits.low fires when a call's charge takes the
        balance from the threshold or above to below it."""
        if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
            raise ValueError("balance must be a non-negative integer")
        with self._lock:
            self.credits = balance
            self._low_sent = balance < self.low_credit_threshold

    # -- the provider's contract -----------------------------------------------------------
    def register_routes(self) -> None:
        handlers = {
            "create_agent": self._create_agent,
            "list_agents": self._list_agents,
            "agent_details": self._agent_details,
            "update_agent": self._update_agent,
            "delete_agent": self._delete_agent,
            "create_contact": self._create_contact,
            "import_contacts": self._import_contacts,
            "list_contacts": self._list_contacts,
            "update_contact": self._update_contact,
            "delete_contact": self._delete_contact,
            "create_campaign": self._create_campaign,
            "list_campaigns": self._list_campaigns,
            "campaign_details": self._campaign_details,
            "start_campaign": partial(self._change_campaign, "draft", "running"),
            "pause_campaign": partial(self._change_campaign, "running", "paused"),
            "resume_campaign": partial(self._change_campaign, "paused", "running"),
            "list_calls": self._list_calls,
            "call_details": self._call_details,
            "call_recording": self._call_recording,
            "call_transcript": self._call_transcript,
            "credit_balance": self._credit_balance,
            "credit_usage": self._credit_usage,
            "purchase_credits": self._purchase_credits,
        }
        for name, (method, path, _source) in PATHS.items():
            self.add_route(method, BASE_PATH + path, handlers[name])

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        header = request.headers.get(AUTH_HEADER.lower(), "")
        expected = f"Bearer {self.api_key}"
        if not hmac.compare_digest(header.encode(), expected.encode()):
            return self.error_response(401, "Invalid or missing API key")  # status: guess
        # Only authenticated requests spend the quota: tiers belong to accounts.
        with self._lock:
            self._roll_window()
            if self._window_used >= self.tier_limit_per_minute:
                response = self.error_response(429, "Rate limit exceeded")
                # guess: the doc shows only the two X-RateLimit headers; Retry-After (in
                # seconds) lets a client wait without comparing its clock with ours.
                response.headers["Retry-After"] = str(self._seconds_to_reset())
                return response
            self._window_used += 1
        return None

    def _respond(self, request: FakeRequest) -> FakeResponse | None:
        # The doc: rate limit headers "are included in every response", so they are added
        # here, after routing, auth and injected faults have all had their say.
        response = super()._respond(request)
        if response is not None and response.status < 400 and isinstance(response.body, dict):
            response.body = self.shapes.extra("answer", self.shapes.render(response.body))
        if response is not None:  # None is a timeout fault: no response at all
            with self._lock:
                self._roll_window()
                remaining = max(0, self.tier_limit_per_minute - self._window_used)
                reset = self._window + timedelta(minutes=1)
            response.headers["X-RateLimit-Remaining"] = str(remaining)
            # guess: the doc does not give the unit; Unix seconds of the window's end (the
            # GitHub / express-rate-limit meaning), on the fake's clock.
            response.headers["X-RateLimit-Reset"] = str(int(reset.timestamp()))
        return response

    def _roll_window(self) -> None:
        # Fixed one-minute windows of the fake's clock: a test spends the quota, then
        # clears it with `advance(60)`, never by sleeping. The doc's per-second burst is not
        # modelled: the fake's clock stands still between advances, so every request of a
        # test would fall in one second.
        window = self.clock.replace(second=0, microsecond=0)
        if window != self._window:
            self._window, self._window_used = window, 0

    def _seconds_to_reset(self) -> int:
        assert self._window is not None
        left = (self._window + timedelta(minutes=1) - self.clock).total_seconds()
        return max(1, math.ceil(left))

    # agents
    def _create_agent(self, request: FakeRequest) -> FakeResponse:
        # guess: the doc shows no agent body; these are the fields a voice agent needs.
        body = _json_object(request, _AGENT_FIELDS)
        agent: dict[str, Any] = {"id": self._new_id("agent"), "name": _text(body, "name")}
        agent.update({key: _optional_text(body, key) for key in _AGENT_FIELDS[1:]})
        agent["created_at"] = agent["updated_at"] = _iso(self.clock)
        self.agents[agent["id"]] = agent
        answer = dict(agent)
        # guess: the doc shows no agent answer; its id comes as `id` or `agent_id`.
        answer[self.shapes.pick("agent:key", ("id", "agent_id"))] = answer.pop("id")
        return FakeResponse(201, answer)

    def _list_agents(self, request: FakeRequest) -> dict[str, Any]:
        return _page(list(self.agents.values()), request)

    def _agent_details(self, request: FakeRequest) -> dict[str, Any]:
        return dict(self._agent(request.path_params["id"]))

    def _update_agent(self, request: FakeRequest) -> dict[str, Any]:
        agent = self._agent(request.path_params["id"])
        body = _json_object(request, _AGENT_FIELDS)
        if not body:
            raise BadRequest("Nothing to update")
        changes = {key: _optional_text(body, key) for key in body}
        if "name" in body:
            changes["name"] = _text(body, "name")
        agent.update(changes, updated_at=_iso(self.clock))
        return dict(agent)

    def _delete_agent(self, request: FakeRequest) -> dict[str, Any]:
        agent = self._agent(request.path_params["id"])
        for campaign in self.campaigns.values():
            if campaign.agent_id == agent["id"] and campaign.status != "completed":
                # guess: an agent a live campaign still dials with cannot go away
                raise BadRequest(f"Agent is used by campaign {campaign.id}", status=409)
        del self.agents[agent["id"]]
        return {"id": agent["id"], "deleted": True}  # guess

    # contacts
    def _create_contact(self, request: FakeRequest) -> FakeResponse:
        # guess: the doc shows no contact body. A contact belongs to at most one list; lists
        # have no endpoint of their own, so a list exists once a contact names it.
        body = _json_object(request, _CONTACT_FIELDS)
        values = _contact_fields(body, "")
        contact, created = self._save_contact(values, values.pop("list_id", None))
        return FakeResponse(201 if created else 200, dict(contact))

    def _import_contacts(self, request: FakeRequest) -> FakeResponse:
        # guess: `{"list_id"?, "contacts": [...]}`; without a list id a new list is made, and
        # its id (the campaign's `contact_list_id`) is in the answer.
        body = _json_object(request, ("list_id", "contact_list_id", "contacts"))
        if "contact_list_id" in body:  # the campaign body's name for a list (doc)
            body["list_id"] = body.pop("contact_list_id")
        rows = body.get("contacts")
        if rows is None:
            raise BadRequest("Missing required field: contacts")
        if not isinstance(rows, list) or not rows:
            raise BadRequest("contacts must be a non-empty array")
        fields = tuple(f for f in _CONTACT_FIELDS if f != "list_id")
        # Every row is checked before any is saved: one bad row rejects the whole import.
        values = [_contact_fields(row, f"contacts[{i}].", fields) for i, row in enumerate(rows)]
        list_id = _optional_text(body, "list_id") or self._new_id("list")
        created = sum(self._save_contact(row, list_id)[1] for row in values)
        counts = {
            "imported": self.shapes.count("import", created),
            "updated": self.shapes.count("import", len(values) - created),
            "total_contacts": len(self.lists[list_id]),
        }
        answer = {k: v for k, v in counts.items() if v is not None}
        # guess: the doc shows no import answer; the list's id comes under one of these.
        key = self.shapes.pick("import:list_key", LIST_ID_KEYS)
        if key == "data":
            return FakeResponse(201, {"data": {"list_id": list_id, **answer}})
        return FakeResponse(201, {key: list_id, **answer})

    def _list_contacts(self, request: FakeRequest) -> dict[str, Any]:
        contacts = list(self.contacts.values())
        for key in ("list_id", "status", "phone_number"):
            if key in request.query:
                contacts = [c for c in contacts if c[key] == request.query[key]]
        return _page(contacts, request)

    def _update_contact(self, request: FakeRequest) -> dict[str, Any]:
        contact = self._contact(request.path_params["id"])
        fields = tuple(f for f in _CONTACT_FIELDS if f != "list_id") + ("status",)
        body = _json_object(request, fields)
        if not body:
            raise BadRequest("Nothing to update")
        status = body.pop("status", None)
        if status is not None and status not in ("new", "do_not_call"):
            # guess: a client may block a contact or clear it; the rest follow from calls
            raise BadRequest("status can be set to 'new' or 'do_not_call' only")
        changes = _contact_fields(body, "", fields, partial_update=True)
        if status is not None:
            changes["status"] = status
        contact.update(changes, updated_at=_iso(self.clock))
        return dict(contact)

    def _delete_contact(self, request: FakeRequest) -> dict[str, Any]:
        contact = self._contact(request.path_params["id"])
        del self.contacts[contact["id"]]
        if contact["list_id"] is not None:
            self.lists[contact["list_id"]].remove(contact["id"])
        return {"id": contact["id"], "deleted": True}  # guess

    # campaigns
    def _create_campaign(self, request: FakeRequest) -> FakeResponse:
        body = _json_object(request, _CAMPAIGN_FIELDS)  # every field: doc
        name = _text(body, "name")
        agent_id = _text(body, "agent_id")
        list_id = _text(body, "contact_list_id")
        schedule = _schedule(body.get("schedule"))
        retry_rules = _retry_rules(body.get("retry_rules"))
        concurrent = _int(body.get("concurrent_calls"), "concurrent_calls", 1, 1, 1000)
        if agent_id not in self.agents:
            raise BadRequest(f"agent_id: no agent {agent_id}")
        if list_id not in self.lists:
            raise BadRequest(f"contact_list_id: no contact list {list_id}")
        campaign = OutboundCampaign(
            id=self._new_id("camp"),
            name=name,
            agent_id=agent_id,
            contact_list_id=list_id,
            schedule=schedule,
            retry_rules=retry_rules,
            # guess: more than the tier allows is accepted and dialed at the tier's limit
            concurrent_calls=concurrent,
            created_at=self.clock,
        )
        self.campaigns[campaign.id] = campaign
        return FakeResponse(201, self._campaign_json(campaign))

    def _list_campaigns(self, request: FakeRequest) -> dict[str, Any]:
        campaigns = list(self.campaigns.values())
        if "status" in request.query:
            campaigns = [c for c in campaigns if c.status == request.query["status"]]
        return _page([self._campaign_json(c) for c in campaigns], request)

    def _campaign_details(self, request: FakeRequest) -> dict[str, Any]:
        return self._campaign_json(self._campaign(request.path_params["id"]))

    def _change_campaign(self, before: str, after: str, request: FakeRequest) -> FakeResponse:
        """start (draft -> running), pause (running -> paused), resume (paused -> running)."""
        campaign = self._campaign(request.path_params["id"])
        if campaign.status != before:
            raise BadRequest(f"Campaign is {campaign.status}, not {before}", status=409)
        if before == "draft":
            # The list is read when the campaign starts: contacts added later are not in it.
            members = self.lists[campaign.contact_list_id]
            if not members:
                raise BadRequest("The contact list is empty")
            campaign.entries = {cid: CampaignEntry(cid) for cid in members}
            campaign.started_at = self.clock
        # Pausing stops new dials only; calls already placed run to their end.
        campaign.status = after
        # guess: the doc shows no answer; none of these is needed (we know the campaign).
        answer = self.shapes.pick("change:answer", CHANGE_ANSWERS)
        if answer == "empty":
            return FakeResponse(204, None)
        if answer == "success":
            return FakeResponse(200, {"success": True})
        if answer == "status":
            return FakeResponse(200, {"status": after})
        return FakeResponse(200, self._campaign_json(campaign))

    def _campaign_json(self, campaign: OutboundCampaign) -> dict[str, Any]:
        calls = [self.calls[call_id] for call_id in campaign.call_ids]
        states = [entry.state for entry in campaign.entries.values()]
        # guess: the doc shows no stats; contacts by progress, calls by final status.
        stats = {
            "total_contacts": len(campaign.entries),
            "contacts_remaining": states.count("pending") + states.count("dialing"),
            "contacts_done": states.count("done"),
            "contacts_skipped": states.count("skipped"),
            "calls_placed": len(calls),
            "calls_active": campaign.active,
            **dict.fromkeys(sorted(TERMINAL_STATUSES), 0),
            "credits_used": sum(call.credits_used for call in calls),
        }
        for call in calls:
            if call.status in TERMINAL_STATUSES:
                stats[call.status] += 1
        return {
            "id": campaign.id,
            "name": campaign.name,
            "agent_id": campaign.agent_id,
            "contact_list_id": campaign.contact_list_id,
            "status": campaign.status,
            "schedule": campaign.schedule,
            "retry_rules": campaign.retry_rules,
            "concurrent_calls": campaign.concurrent_calls,
            "stats": stats,
            "created_at": _iso(campaign.created_at),
            "started_at": _iso(campaign.started_at),
            "completed_at": _iso(campaign.completed_at),
        }

    # calls
    def _list_calls(self, request: FakeRequest) -> dict[str, Any]:
        calls = [call.details() for call in self.calls.values()]
        for key in ("campaign_id", "contact_id", "status"):
            if key in request.query:
                calls = [c for c in calls if c[key] == request.query[key]]
        return _page(calls, request)

    def _call_details(self, request: FakeRequest) -> dict[str, Any]:
        return self._call(request.path_params["id"]).details()

    def _call_recording(self, request: FakeRequest) -> FakeResponse:
        call = self._connected_call(request.path_params["id"], "Recording")
        # guess: the audio itself (a short WAV), not a link to it, under a content type
        # that may be generic: the bytes say it is audio.
        kind = self.shapes.pick("recording:type", RECORDING_TYPES)
        return FakeResponse(200, _wav(call.duration_seconds), content_type=kind)

    def _call_transcript(self, request: FakeRequest) -> dict[str, Any]:
        call = self._connected_call(request.path_params["id"], "Transcript")
        return {"call_id": call.id, "transcript": call.transcript}  # guess

    # credits
    def _credit_balance(self, request: FakeRequest) -> dict[str, Any]:
        return {
            "balance": self.shapes.amount("balance", self.credits),
            "low_balance_threshold": self.shapes.amount("threshold", self.low_credit_threshold),
        }

    def _credit_usage(self, request: FakeRequest) -> dict[str, Any]:
        rows = self.usage
        if "campaign_id" in request.query:
            rows = [row for row in rows if row["campaign_id"] == request.query["campaign_id"]]
        total = sum(row["credits"] for row in rows)
        return {**_page(rows, request), "total_credits": self.shapes.amount("usage", total)}

    def _purchase_credits(self, request: FakeRequest) -> FakeResponse:
        body = _json_object(request, ("amount",))  # guess
        if "amount" not in body:
            raise BadRequest("Missing required field: amount")
        amount = _int(body["amount"], "amount", 0, 1, 1_000_000)
        self.credits += amount
        if self.credits >= self.low_credit_threshold:
            self._low_sent = False  # the next drop below the threshold is news again
        purchase = {
            "id": self._new_id("pur"),
            "amount": amount,
            "balance": self.credits,
            "created_at": _iso(self.clock),
        }
        self.purchases.append(purchase)
        return FakeResponse(201, purchase)

    # -- state -------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        # The doc's ids look like "agent_abc123", "list_xyz789", "camp_def456". Calls and
        # contacts (no example in the doc) are sometimes numbered instead.
        if prefix in ("call", "contact") and self.shapes.numeric(prefix):
            return str(next(self._numbers))
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        while True:
            new = prefix + "_" + "".join(self._ids.choice(alphabet) for _ in range(6))
            if new not in self._issued:
                self._issued.add(new)
                return new

    def _agent(self, agent_id: str) -> dict[str, Any]:
        return _found(self.agents.get(agent_id), "Agent")

    def _contact(self, contact_id: str) -> dict[str, Any]:
        return _found(self.contacts.get(contact_id), "Contact")

    def _campaign(self, campaign_id: str) -> OutboundCampaign:
        return _found(self.campaigns.get(campaign_id), "Campaign")

    def _call(self, call_id: str) -> OutboundCall:
        return _found(self.calls.get(call_id), "Call")

    def _connected_call(self, call_id: str, what: str) -> OutboundCall:
        call = self._call(call_id)
        if call.status not in CONNECTED_STATUSES:
            # guess: only a call that connected and ended has audio and words
            raise BadRequest(f"{what} not available for a call that is {call.status}", 404)
        return call

    def _save_contact(
        self, values: dict[str, Any], list_id: str | None
    ) -> tuple[dict[str, Any], bool]:
        """Create a contact, or update the one with the same number in the same list."""
        members = self.lists.setdefault(list_id, []) if list_id is not None else []
        for contact_id in members:
            contact = self.contacts[contact_id]
            if contact["phone_number"] == values["phone_number"]:
                contact.update(values, updated_at=_iso(self.clock))
                return contact, False
        contact = {
            "id": self._new_id("contact"),
            "phone_number": values["phone_number"],
            "first_name": None,
            "last_name": None,
            "email": None,
            "timezone": None,
            "list_id": list_id,
            "custom_fields": {},
            "status": "new",
        }
        contact.update(values)
        contact["created_at"] = contact["updated_at"] = _iso(self.clock)
        self.contacts[contact["id"]] = contact
        members.append(contact["id"])
        return contact, True

    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Play the world from where the last tick left it to the new clock, waking at every
        # call step, every retry due and every minute a campaign runs (calling hours and
        # start dates are whole minutes), so how a test splits `advance()` changes nothing.
        now = self._played_to
        while True:
            while self._queue and self._queue[0][0] <= now:
                at, _, action = heappop(self._queue)
                action(at)
            self._dial(now)
            if now >= self.clock:
                break
            now = self._next_wake(now)
        self._played_to = self.clock

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake (e.g. GET /v1/calls/{id}) cannot deadlock.
        super().advance(seconds)
        self._deliver_webhooks()

    def _next_wake(self, now: datetime) -> datetime:
        wakes = [self.clock]
        if self._queue:
            wakes.append(self._queue[0][0])
        for campaign in self.campaigns.values():
            if campaign.status != "running":
                continue
            wakes.append(now.replace(second=0, microsecond=0) + timedelta(minutes=1))
            wakes.extend(
                entry.next_at
                for entry in campaign.entries.values()
                if entry.state == "pending" and entry.next_at and entry.next_at > now
            )
        return min(wakes)

    def _dial(self, now: datetime) -> None:
        for campaign in self.campaigns.values():
            if campaign.status != "running" or not campaign.in_window(now):
                continue
            for entry in campaign.entries.values():
                if (
                    self.credits <= 0  # guess: an empty balance dials nothing
                    or self._active_calls >= self.max_concurrent_calls
                    or campaign.active >= campaign.concurrent_calls
                ):
                    break
                if entry.state != "pending" or (entry.next_at and entry.next_at > now):
                    continue
                contact = self.contacts.get(entry.contact_id)
                # Checked at dial time: a contact deleted or blocked after the start is
                # never called.
                if contact is None or contact["status"] == "do_not_call":
                    entry.state = "skipped"
                    continue
                self._place_call(campaign, entry, contact, now)
            self._check_finished(campaign, now)

    def _place_call(
        self,
        campaign: OutboundCampaign,
        entry: CampaignEntry,
        contact: dict[str, Any],
        now: datetime,
    ) -> None:
        entry.attempts += 1
        entry.state = "dialing"
        call = OutboundCall(
            id=self._new_id("call"),
            seq=len(self.calls) + 1,
            campaign_id=campaign.id,
            agent_id=campaign.agent_id,
            contact_id=contact["id"],
            phone_number=contact["phone_number"],
            attempt=entry.attempts,
            created_at=now,
        )
        self.calls[call.id] = call
        campaign.call_ids.append(call.id)
        campaign.active += 1
        self._active_calls += 1
        self._plan(call)

    def _plan(self, call: OutboundCall) -> None:
        """Schedule the call's whole life now, from `random.Random(seed + n)` alone."""
        rng = random.Random(self.seed + call.seq)
        # Draw everything every time, in one order, so forcing an outcome never shifts the
        # numbers a call draws after it.
        roll = rng.uniform(0, 100)
        queued_for = rng.randint(1, 3)
        ring_for = rng.randint(3, 12)
        talk = rng.randint(20, 180)
        voicemail = rng.randint(15, 40)
        busy_after = rng.randint(3, 8)
        call.verdict = _pick(VERDICT_WEIGHTS, rng.uniform(0, 100))
        status = self._forced.get(call.phone_number) or _pick(OUTCOME_WEIGHTS, roll)

        if status == "failed":  # the carrier refuses it at once
            self._schedule(call.created_at + timedelta(seconds=2), call, status)
            return
        ringing = call.created_at + timedelta(seconds=queued_for)
        self._schedule(ringing, call, "ringing")
        if status in ("no_answer", "busy"):
            # guess: ~30 s of ringing before no-answer; a busy line answers in seconds
            rang = 30 if status == "no_answer" else busy_after
            self._schedule(ringing + timedelta(seconds=rang), call, status)
            return
        answered = ringing + timedelta(seconds=ring_for)
        self._schedule(answered, call, "in_progress")
        spoke = voicemail if status == "voicemail" else talk
        self._schedule(answered + timedelta(seconds=spoke), call, status)

    def _schedule(self, at: datetime, call: OutboundCall, status: str) -> None:
        heappush(self._queue, (at, next(self._order), partial(self._move, call, status)))

    def _move(self, call: OutboundCall, status: str, at: datetime) -> None:
        call.status = status
        if status == "in_progress":
            call.started_at = at
            self._emit("call.started", call.details(), at)  # doc: "connects to the recipient"
        elif status in TERMINAL_STATUSES:
            self._end(call, at)

    def _end(self, call: OutboundCall, at: datetime) -> None:
        campaign = self.campaigns[call.campaign_id]
        campaign.active -= 1
        self._active_calls -= 1
        call.ended_at = at
        if call.status not in CONNECTED_STATUSES:
            self._emit("call.failed", call.details(), at)
        else:
            assert call.started_at is not None
            call.duration_seconds = int((at - call.started_at).total_seconds())
            agent = self.agents.get(call.agent_id, {})
            contact = self.contacts.get(call.contact_id, {})
            if call.status == "completed":
                call.outcome = call.verdict
            call.transcript = _transcript(agent, contact, call.outcome)
            crossed = self._charge(call, at)
            # doc: call.completed "includes transcript and outcome"
            self._emit("call.completed", {**call.details(), "transcript": call.transcript}, at)
            if crossed:
                data = {
                    "balance": self.shapes.amount("low:balance", self.credits),
                    "threshold": self.shapes.amount("low:threshold", self.low_credit_threshold),
                }
                self._emit("credits.low", data, at)
        self._after_attempt(campaign, call, at)
        self._check_finished(campaign, at)

    def _charge(self, call: OutboundCall, at: datetime) -> bool:
        """Take the call's credits; True when that takes the balance below the threshold."""
        cost = math.ceil(call.duration_seconds / 60) * CREDITS_PER_MINUTE
        # guess: at zero the provider stops billing rather than owing itself credits
        call.credits_used = min(cost, self.credits)
        self.credits -= call.credits_used
        if call.credits_used:
            self.usage.append(
                {
                    "call_id": call.id,
                    "campaign_id": call.campaign_id,
                    "credits": call.credits_used,
                    "created_at": _iso(at),
                }
            )
        if self.credits < self.low_credit_threshold and not self._low_sent:
            self._low_sent = True
            return True
        return False

    def _after_attempt(self, campaign: OutboundCampaign, call: OutboundCall, at: datetime) -> None:
        entry = campaign.entries[call.contact_id]
        if call.status == "completed":
            entry.state = "done"
            status = "do_not_call" if call.outcome == "do_not_call" else "called"
        elif entry.attempts < campaign.retry_rules["max_attempts"]:
            # guess: anything short of a conversation (voicemail too) is tried again
            entry.state = "pending"
            entry.next_at = at + timedelta(minutes=campaign.retry_rules["delay_minutes"])
            status = "retrying"
        else:
            entry.state = "done"
            status = "unreachable"
        contact = self.contacts.get(call.contact_id)
        if contact is None or contact["status"] in (status, "do_not_call"):
            return  # gone, unchanged, or blocked by the client meanwhile (which stays)
        previous = contact["status"]
        contact.update(status=status, updated_at=_iso(at))
        self._emit("contact.updated", {**contact, "previous_status": previous}, at)

    def _check_finished(self, campaign: OutboundCampaign, at: datetime) -> None:
        if campaign.status in ("running", "paused") and campaign.finished():
            campaign.status = "completed"
            campaign.completed_at = at
            self._emit("campaign.completed", self._campaign_json(campaign), at)

    # -- webhooks ------------------------------------------------------------------------
    def _emit(self, event: str, data: dict[str, Any], at: datetime) -> None:
        # guess: the doc names the events, not the payload; an envelope with an id (our
        # inbox's dedupe key), the event name, when it happened and the object it is about.
        envelope = {"id": self._new_id("evt"), "event": event, "created_at": _iso(at)}
        self._outbox.append({**envelope, "data": data})

    def _deliver_webhooks(self) -> None:
        with self._lock:
            pending, self._outbox = self._outbox, []
        for event in pending:
            payload = self.shapes.render(event)
            # Signed over the exact bytes sent, so the receiver verifies what it received;
            # the doc names no header or form, so both vary (outboundcalls_shapes).
            raw = json.dumps(payload).encode()
            headers = self.shapes.signed(self.webhook_secret, raw)
            url = self.webhook_url  # the dashboard's "Settings > Webhooks" (doc)
            if url and urlsplit(url).hostname not in _LOOPBACK_HOSTS:
                self.webhooks_sent.append((payload, None))  # only loopback is ever contacted
                continue
            try:
                self.send_webhook(payload, headers=headers, raw=raw)
            except requests.RequestException as exc:
                # A receiver that is down must not stop the provider's clock; the failure
                # is kept for the test to inspect.
                self.webhook_failures.append((payload, repr(exc)))


Fake = OutboundCallsFake


# -- helpers -----------------------------------------------------------------------------
def _json_object(request: FakeRequest, allowed: tuple[str, ...]) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    # Unknown fields are refused, so an adapter's misspelt field fails here, not silently.
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"Unknown field(s): {', '.join(unknown)}")
    return body


def _found(item: Any, what: str) -> Any:
    if item is None:
        raise BadRequest(f"{what} not found", status=404)
    return item


def _text(body: dict[str, Any], key: str, label: str | None = None) -> str:
    value = _optional_text(body, key, label)
    if value is None:
        raise BadRequest(f"Missing required field: {label or key}")
    return value


def _optional_text(body: dict[str, Any], key: str, label: str | None = None) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{label or key} must be a string")
    return value


def _int(value: Any, label: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{label} must be an integer from {low} to {high}")
    return value


def _zone(value: Any, label: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise BadRequest(f"{label} must be an IANA time zone such as Europe/London") from exc
    return value


def _contact_fields(
    item: Any,
    prefix: str,
    allowed: tuple[str, ...] = _CONTACT_FIELDS,
    *,
    partial_update: bool = False,
) -> dict[str, Any]:
    """Check one contact's fields (`prefix` names it in messages, e.g. "contacts[3].")."""
    if not isinstance(item, dict):
        raise BadRequest(f"{prefix.rstrip('.') or 'contact'} must be an object")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        where = prefix.rstrip(".") or "contact"
        raise BadRequest(f"Unknown field(s) in {where}: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    if not partial_update or "phone_number" in item:
        number = item.get("phone_number")
        if number is None or number == "":
            raise BadRequest(f"Missing required field: {prefix}phone_number")
        if not isinstance(number, str) or not E164_RE.match(number):
            raise BadRequest(f"{prefix}phone_number must be E.164, such as +14155550100")
        values["phone_number"] = number
    for key in ("first_name", "last_name", "email", "list_id"):
        if key in item:
            values[key] = _optional_text(item, key, prefix + key)
    if item.get("timezone") is not None:
        values["timezone"] = _zone(item["timezone"], prefix + "timezone")
    if "custom_fields" in item:
        custom = item["custom_fields"]
        if custom is not None and not isinstance(custom, dict):
            raise BadRequest(f"{prefix}custom_fields must be an object")
        values["custom_fields"] = custom or {}
    return values


def _schedule(value: Any) -> dict[str, Any]:
    """The doc's `schedule`; absent parts mean "from the start, at any hour, in UTC"."""
    schedule: dict[str, Any] = {"start_date": None, "calling_hours": None, "timezone": "UTC"}
    if value is None:
        return schedule
    if not isinstance(value, dict):
        raise BadRequest("schedule must be an object")
    unknown = sorted(set(value) - set(schedule))
    if unknown:
        raise BadRequest(f"schedule: unknown field(s) {', '.join(unknown)}")
    start_date = value.get("start_date")
    if start_date is not None:
        if not isinstance(start_date, str) or not _DATE_RE.match(start_date):
            raise BadRequest("schedule.start_date must be a date such as 2026-03-25")
        try:
            date.fromisoformat(start_date)
        except ValueError as exc:
            raise BadRequest("schedule.start_date is not a real date") from exc
        schedule["start_date"] = start_date
    hours = value.get("calling_hours")
    if hours is not None:
        if not isinstance(hours, dict) or set(hours) != {"start", "end"}:
            raise BadRequest("schedule.calling_hours must be {start, end}")
        for key in ("start", "end"):
            if not isinstance(hours[key], str) or not _HHMM_RE.match(hours[key]):
                raise BadRequest(f"schedule.calling_hours.{key} must be HH:MM such as 09:00")
        if hours["start"] >= hours["end"]:
            raise BadRequest("schedule.calling_hours.start must be before end")
        schedule["calling_hours"] = {"start": hours["start"], "end": hours["end"]}
    if value.get("timezone") is not None:
        schedule["timezone"] = _zone(value["timezone"], "schedule.timezone")
    return schedule


def _retry_rules(value: Any) -> dict[str, int]:
    """The doc's `retry_rules`; absent parts mean one attempt, and an hour between tries."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise BadRequest("retry_rules must be an object")
    unknown = sorted(set(value) - {"max_attempts", "delay_minutes"})
    if unknown:
        raise BadRequest(f"retry_rules: unknown field(s) {', '.join(unknown)}")
    # guess: the bounds; the doc's example is 3 attempts 60 minutes apart
    return {
        "max_attempts": _int(value.get("max_attempts"), "retry_rules.max_attempts", 1, 1, 10),
        "delay_minutes": _int(
            value.get("delay_minutes"), "retry_rules.delay_minutes", 60, 0, 7 * 24 * 60
        ),
    }


def _page(items: list[dict[str, Any]], request: FakeRequest) -> dict[str, Any]:
    """guess: `?page=&limit=` paging, answered as {data, page, limit, has_more}."""
    numbers = {}
    for key, default, high in (("page", 1, 1_000_000), ("limit", PAGE_SIZE, MAX_PAGE_SIZE)):
        raw = request.query.get(key, str(default))
        if not raw.isdigit() or not 1 <= int(raw) <= high:
            raise BadRequest(f"{key} must be an integer from 1 to {high}")
        numbers[key] = int(raw)
    page, limit = numbers["page"], numbers["limit"]
    return {
        # Copies: the answer is written after the lock is released, while ticks go on.
        "data": [dict(item) for item in items[(page - 1) * limit : page * limit]],
        "page": page,
        "limit": limit,
        "has_more": page * limit < len(items),
    }


_REPLIES = {
    "interested": "Yes, that sounds good. Tell me more.",
    "not_interested": "No thanks, I'm not interested.",
    "callback_requested": "I'm busy right now, can you call me back tomorrow?",
    "do_not_call": "Please take me off your list and don't call again.",
}


def _transcript(
    agent: dict[str, Any], contact: dict[str, Any], outcome: str | None
) -> list[dict[str, str]]:
    """A short agent/contact exchange; a voicemail (no outcome) is the agent alone."""
    name = contact.get("first_name") or "there"
    opening = agent.get("first_message") or f"Hi {name}, this is {agent.get('name')} calling."
    if outcome is None:
        return [{"role": "agent", "text": f"{opening} Please call us back when you can."}]
    return [
        {"role": "agent", "text": opening},
        {"role": "contact", "text": _REPLIES[outcome]},
        {"role": "agent", "text": "Thank you for your time. Goodbye."},
    ]


def _wav(seconds: int) -> bytes:
    """Silence as an 8 kHz mono 16-bit WAV, one tenth of the call's length: a valid file
    whose size follows the call, without megabytes of test data."""
    rate = 8000
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * rate * max(1, seconds) // 10))
    return buffer.getvalue()


def _pick(weights: tuple[tuple[str, int], ...], roll: float) -> str:
    for word, weight in weights:
        if roll < weight:
            return word
        roll -= weight
    return weights[-1][0]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
