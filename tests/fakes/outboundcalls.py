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
import math
import random
from datetime import datetime, timedelta
from functools import partial
from itertools import count
from typing import Any

from tests.fakes import outboundcalls_calls as calls
from tests.fakes import outboundcalls_fields as fields
from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.outboundcalls_calls import (  # noqa: F401 - the fake's API
    CAMPAIGN_STATUS_WORDS,
    CONNECTED_STATUSES,
    CONTACT_STATUS_WORDS,
    CREDITS_PER_MINUTE,
    OUTCOME_WEIGHTS,
    OUTCOME_WORDS,
    STATUS_WORDS,
    TERMINAL_STATUSES,
    VERDICT_WEIGHTS,
    CampaignEntry,
    OutboundCall,
    OutboundCampaign,
)
from tests.fakes.outboundcalls_campaigns import CampaignRoutes
from tests.fakes.outboundcalls_contacts import ContactRoutes
from tests.fakes.outboundcalls_dialer import Dialer
from tests.fakes.outboundcalls_fields import E164_RE, MAX_PAGE_SIZE, PAGE_SIZE  # noqa: F401
from tests.fakes.outboundcalls_shapes import RECORDING_TYPES, Shapes

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

DEFAULT_CREDITS = 1000
DEFAULT_LOW_CREDIT_THRESHOLD = 100  # guess: the doc says "below threshold" without a value


def sign(secret: str, body: bytes) -> str:
    """The value of SIGNATURE_HEADER for a webhook `body` (what our inbox must recompute)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class OutboundCallsFake(ContactRoutes, CampaignRoutes, Dialer, FakeProviderServer):
    """OutboundCalls.ai over real HTTP on 127.0.0.1; running campaigns dial on `advance()`.

    The routes of agents and contacts, of campaigns, and the dialing clock live in the
    mixins (outboundcalls_contacts, outboundcalls_campaigns, outboundcalls_dialer)."""

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

    # calls
    def _list_calls(self, request: FakeRequest) -> dict[str, Any]:
        calls = [call.details() for call in self.calls.values()]
        for key in ("campaign_id", "contact_id", "status"):
            if key in request.query:
                calls = [c for c in calls if c[key] == request.query[key]]
        return fields.page(calls, request)

    def _call_details(self, request: FakeRequest) -> dict[str, Any]:
        return self._call(request.path_params["id"]).details()

    def _call_recording(self, request: FakeRequest) -> FakeResponse:
        call = self._connected_call(request.path_params["id"], "Recording")
        # guess: the audio itself (a short WAV), not a link to it, under a content type
        # that may be generic: the bytes say it is audio.
        kind = self.shapes.pick("recording:type", RECORDING_TYPES)
        return FakeResponse(200, calls.wav(call.duration_seconds), content_type=kind)

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
        return {**fields.page(rows, request), "total_credits": self.shapes.amount("usage", total)}

    def _purchase_credits(self, request: FakeRequest) -> FakeResponse:
        body = fields.json_object(request, ("amount",))  # guess
        if "amount" not in body:
            raise BadRequest("Missing required field: amount")
        amount = fields.integer(body["amount"], "amount", 0, 1, 1_000_000)
        self.credits += amount
        if self.credits >= self.low_credit_threshold:
            self._low_sent = False  # the next drop below the threshold is news again
        purchase = {
            "id": self._new_id("pur"),
            "amount": amount,
            "balance": self.credits,
            "created_at": fields.iso(self.clock),
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
        return fields.found(self.agents.get(agent_id), "Agent")

    def _contact(self, contact_id: str) -> dict[str, Any]:
        return fields.found(self.contacts.get(contact_id), "Contact")

    def _campaign(self, campaign_id: str) -> OutboundCampaign:
        return fields.found(self.campaigns.get(campaign_id), "Campaign")

    def _call(self, call_id: str) -> OutboundCall:
        return fields.found(self.calls.get(call_id), "Call")

    def _connected_call(self, call_id: str, what: str) -> OutboundCall:
        call = self._call(call_id)
        if call.status not in CONNECTED_STATUSES:
            # guess: only a call that connected and ended has audio and words
            raise BadRequest(f"{what} not available for a call that is {call.status}", 404)
        return call


Fake = OutboundCallsFake
