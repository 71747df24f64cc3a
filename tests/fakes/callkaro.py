"""Stateful HTTP fake of CallKaro, written from its public doc
(/work/shared/providers/callkaro.txt).

The doc gives: the base URL `https://api.callkaro.ai`, the `X-API-KEY` header,
`POST /call/outbound` with its fields (to_number, agent_id, batch_id, metadata,
schedule_at, min/max_trigger_time, carry_over, number_of_retries, gap_between_retries,
priority in [-100, 100]), `POST /call/campaign` returning a `batch_id`, the success bodies
and four error examples, all shaped `{"status": "error", "message": "..."}`:

    400 {"status": "error", "message": "Missing agent_id"}
    403 {"status": "error", "message": "Missing X-API-KEY in headers"}
    404 {"status": "error", "message": "Agent does not exist"}
    500 {"status": "error", "message": "Server error"}

The doc does not give: any way to read a call back, status words, the call-ended webhook,
the timezone of `schedule_at`, or what a wrong (rather than missing) key answers. Our
choices are marked "guess" and explained where they are made.

Scheduling a call inside a campaign: the doc's "schedule campaign" curl posts to
`/call/outbound` with `batch_id` and no `agent_id`, so that is what the fake accepts; the
call then uses the campaign's agent.
"""

from __future__ import annotations

import hmac
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, timezone
from heapq import heapify, heappop, heappush
from typing import Any

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse

# name -> (method, path relative to BASE_URL, "doc" | "guess"). Adapters import this table so
# every CallKaro path lives in one place; the fake registers its routes from it too.
PATHS: dict[str, tuple[str, str, str]] = {
    "outbound_call": ("POST", "/call/outbound", "doc"),
    "create_campaign": ("POST", "/call/campaign", "doc"),
}
BASE_URL = "https://api.callkaro.ai"
AUTH_HEADER = "X-API-KEY"  # doc
PRIORITY_RANGE = (-100, 100)  # doc: "Priority of the call [-100,100]"
DEFAULT_GAP_MINUTES = 30  # guess: retries asked for without a gap use the doc's own example

# The doc names no status words at all (calls are reported by webhook only, and that
# webhook is not in the doc). These are our guess, snake_case like the doc's field names.
STATUS_WORDS: dict[str, str] = {
    "scheduled": "guess",  # waiting for schedule_at, the trigger window, or a retry
    "queued": "guess",  # due now, about to be dialed
    "ringing": "guess",
    "in_progress": "guess",
    "completed": "guess",
    "no_answer": "guess",
    "busy": "guess",
    "failed": "guess",
    "expired": "guess",  # max_trigger_time passed without carry_over: never (re)dialed
}
TERMINAL_STATUSES = frozenset({"completed", "no_answer", "busy", "failed", "expired"})
# Outcomes a test may force; "expired" follows from the trigger window instead.
FORCEABLE_STATUSES = frozenset({"completed", "no_answer", "busy", "failed"})
# "Retries if user doesn't pick up": a busy or unanswered attempt is retried, a failed one is
# not (the number or the network is at fault, not the person).
RETRIED_OUTCOMES = frozenset({"no_answer", "busy"})

OUTCOME_WEIGHTS = (("completed", 60), ("no_answer", 20), ("busy", 10), ("failed", 10))

# guess: CallKaro serves India (+91 examples, "Bangalore"), so a `schedule_at` without an
# offset and the HH:MM trigger window are read as India time. India has no DST.
IST = timezone(timedelta(hours=5, minutes=30), "IST")

# The agent ids the doc's examples use, so requests copied from the doc work.
SEEDED_AGENTS: dict[str, str] = {
    "6803fa770b65876868ddf": "Inspection agent",
    "6803fa770b666a64ab1694c1e": "Survey agent",
}

_INTERNATIONAL_RE = re.compile(r"^\+[1-9]\d{6,14}$")  # "+919876543210"
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")  # "08:30"

# The call-ended webhook we send (our assumption; the doc has none). One POST per call when
# it is finally over (answered, retries used up, failed, or expired), not per attempt:
#
#   {
#     "event": "call.ended",
#     "call_id": "677a5a50f3c2...",       # as returned by POST /call/outbound
#     "batch_id": "677a5a50..." | null,
#     "agent_id": "6803fa770b666a64ab1694c1e",
#     "to_number": "+919876543210",
#     "status": "completed",              # one of TERMINAL_STATUSES
#     "attempts": 1,                      # dials made, retries included
#     "priority": 0,
#     "metadata": {...},                  # as sent
#     "started_at": "2026-01-05T10:00:03Z" | null,   # last attempt's dial time, UTC
#     "answered_at": "2026-01-05T10:00:09Z" | null,
#     "ended_at": "2026-01-05T10:01:02Z",
#     "duration": 53                      # answered seconds, 0 if unanswered
#   }
#
# No signature is sent (none is documented); our inbox authenticates it by a secret token in
# the webhook URL.
WEBHOOK_EVENT = "call.ended"


@dataclass
class CallKaroCall:
    """One call (with its retries) the fake knows about."""

    call_id: str
    seq: int
    to_number: str
    agent_id: str
    batch_id: str | None
    metadata: dict[str, Any]
    schedule_at: datetime | None
    min_trigger_time: time | None
    max_trigger_time: time | None
    carry_over: bool
    number_of_retries: int
    gap_between_retries: list[int]  # minutes; the last gap repeats
    priority: int
    created_at: datetime
    rng: random.Random = field(repr=False)
    status: str = "queued"
    next_at: datetime | None = None  # when the call's next state change is due
    attempts: int = 0
    outcome: str | None = None  # the current attempt's outcome, decided at dial time
    talk_seconds: int = 0
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int = 0

    def webhook_payload(self) -> dict[str, Any]:
        return {
            "event": WEBHOOK_EVENT,
            "call_id": self.call_id,
            "batch_id": self.batch_id,
            "agent_id": self.agent_id,
            "to_number": self.to_number,
            "status": self.status,
            "attempts": self.attempts,
            "priority": self.priority,
            "metadata": dict(self.metadata),
            "started_at": _iso(self.started_at),
            "answered_at": _iso(self.answered_at),
            "ended_at": _iso(self.ended_at),
            "duration": self.duration,
        }


@dataclass
class CallKaroBatch:
    batch_id: str
    name: str
    agent_id: str
    created_at: datetime
    call_ids: list[str] = field(default_factory=list)


class CallKaroFake(FakeProviderServer):
    """CallKaro over real HTTP on 127.0.0.1, with calls that move only on `advance()`."""

    name = "callkaro"

    def __init__(self, *, api_key: str = "callkaro-test-key", seed: int = 0) -> None:
        self.api_key = api_key
        self.seed = seed
        self.agents: dict[str, str] = dict(SEEDED_AGENTS)
        self.calls: dict[str, CallKaroCall] = {}
        self.batches: dict[str, CallKaroBatch] = {}
        self._forced: dict[str, str] = {}  # to_number -> outcome of every attempt
        self._outbox: list[dict[str, Any]] = []  # webhooks waiting for the lock to be released
        self.webhook_failures: list[tuple[dict[str, Any], str]] = []
        super().__init__()

    # -- test helpers --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What an adapter uses in place of BASE_URL."""
        return self.url

    def add_agent(self, agent_id: str, name: str = "Test agent") -> None:
        """Create an agent (the doc has no endpoint for it: agents live in the dashboard)."""
        self.agents[agent_id] = name

    def force_outcome(self, number: str, status: str) -> None:
        """Make every attempt to `number` not dialed yet end with `status` (retries too)."""
        if status not in FORCEABLE_STATUSES:
            raise ValueError(f"{status!r} is not one of {sorted(FORCEABLE_STATUSES)}")
        with self._lock:
            self._forced[number] = status

    # -- the provider's contract -----------------------------------------------------------
    def register_routes(self) -> None:
        handlers = {"outbound_call": self._outbound_call, "create_campaign": self._create_campaign}
        for name, (method, path, _source) in PATHS.items():
            self.add_route(method, path, handlers[name])

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        key = request.headers.get(AUTH_HEADER.lower(), "")
        if not key:
            return self.error_response(403, "Missing X-API-KEY in headers")  # doc
        if not hmac.compare_digest(key.encode(), self.api_key.encode()):
            # guess: the doc shows only the missing-key answer; a wrong key gets the same
            # status with its own message.
            return self.error_response(403, "Invalid X-API-KEY")
        return None

    def error_response(self, status: int, message: str) -> FakeResponse:
        if status >= 500:
            message = "Server error"  # the doc's one 5xx message, whatever went wrong
        return FakeResponse(status=status, body={"status": "error", "message": message})

    def _outbound_call(self, request: FakeRequest) -> dict[str, Any]:
        body = _json_object(request)
        # Shape first (400s), then look-ups (404s), so a malformed request never reveals
        # which agents or batches exist.
        to_number = body.get("to_number")
        if to_number is None or to_number == "":
            raise BadRequest("Missing to_number")
        if not isinstance(to_number, str) or not _INTERNATIONAL_RE.match(to_number):
            raise BadRequest("to_number must be in international format, e.g. +919876543210")
        agent_id = _optional_str(body, "agent_id")
        batch_id = _optional_str(body, "batch_id")
        metadata = body.get("metadata")
        if metadata is None:
            metadata = {}
        elif not isinstance(metadata, dict):
            raise BadRequest("metadata must be an object")
        schedule_at = _schedule_at(body.get("schedule_at"))
        min_time = _trigger_time(body.get("min_trigger_time"), "min_trigger_time")
        max_time = _trigger_time(body.get("max_trigger_time"), "max_trigger_time")
        if min_time and max_time and min_time >= max_time:
            raise BadRequest("min_trigger_time must be earlier than max_trigger_time")
        carry_over = body.get("carry_over", False)
        if not isinstance(carry_over, bool):
            raise BadRequest("carry_over must be a boolean")
        retries = body.get("number_of_retries", 0)
        if not _is_int(retries) or retries < 0:
            raise BadRequest("number_of_retries must be a non-negative integer")
        gaps = _gaps(body.get("gap_between_retries"))
        priority = body.get("priority", 0)
        low, high = PRIORITY_RANGE
        if not _is_int(priority) or not low <= priority <= high:
            raise BadRequest(f"priority must be an integer between {low} and {high}")
        if agent_id is None and batch_id is None:
            raise BadRequest("Missing agent_id")  # doc

        batch = None
        if batch_id is not None:
            batch = self.batches.get(batch_id)
            if batch is None:
                raise BadRequest("Batch does not exist", status=404)  # guess, like the agent's
        if agent_id is None:
            assert batch is not None
            agent_id = batch.agent_id
        if agent_id not in self.agents:
            raise BadRequest("Agent does not exist", status=404)  # doc

        seq = len(self.calls) + 1
        # One generator per call, seeded by its sequence number: a call's id, timing and
        # outcomes depend only on (seed, seq), never on how the test chunks `advance()`.
        rng = random.Random(self.seed + seq)
        call = CallKaroCall(
            call_id=_object_id(self.clock, rng),
            seq=seq,
            to_number=to_number,
            agent_id=agent_id,
            batch_id=batch_id,
            metadata=metadata,
            schedule_at=schedule_at,
            min_trigger_time=min_time,
            max_trigger_time=max_time,
            carry_over=carry_over,
            number_of_retries=retries,
            gap_between_retries=gaps,
            priority=priority,
            created_at=self.clock,
            rng=rng,
        )
        queue_delay = timedelta(seconds=rng.uniform(1.0, 5.0))
        if schedule_at is not None and schedule_at > self.clock:
            call.status = "scheduled"
            call.next_at = schedule_at
        else:
            call.next_at = self.clock + queue_delay
            if self._window(call, self.clock) != self.clock:
                # Outside today's window: it waits (or expires) on the next tick, when the
                # window is checked again at its dial time.
                call.status = "scheduled"
        self.calls[call.call_id] = call
        if batch is not None:
            batch.call_ids.append(call.call_id)
        return {
            "status": "success",
            "message": "Call initiated successfully",
            "call_id": call.call_id,
        }

    def _create_campaign(self, request: FakeRequest) -> dict[str, Any]:
        body = _json_object(request)
        name = _optional_str(body, "name")
        if name is None:
            raise BadRequest("Missing name")  # guess, in the doc's "Missing agent_id" style
        agent_id = _optional_str(body, "agent_id")
        if agent_id is None:
            raise BadRequest("Missing agent_id")
        if agent_id not in self.agents:
            raise BadRequest("Agent does not exist", status=404)
        # Batches draw from their own stream (a string seed is hashed deterministically) so
        # creating one never shifts the ids or outcomes of calls.
        rng = random.Random(f"{self.seed}:batch:{len(self.batches) + 1}")
        batch = CallKaroBatch(_object_id(self.clock, rng), name, agent_id, self.clock)
        self.batches[batch.batch_id] = batch
        return {
            "batch_id": batch.batch_id,
            "message": "Campaign created successfully",
            "status": "success",
        }

    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Every due state change across all calls in time order; at the same instant a
        # higher priority goes first. The doc gives no concurrency limit, so every due call
        # is dialed; priority only orders calls due together (and their webhooks).
        due = [(c.next_at, -c.priority, c.seq) for c in self.calls.values() if self._is_due(c)]
        heapify(due)
        by_seq = {c.seq: c for c in self.calls.values()}
        while due:
            _, _, seq = heappop(due)
            call = by_seq[seq]
            self._step(call)
            if self._is_due(call):
                heappush(due, (call.next_at, -call.priority, seq))

    def _is_due(self, call: CallKaroCall) -> bool:
        return call.next_at is not None and call.next_at <= self.clock

    def _step(self, call: CallKaroCall) -> None:
        at = call.next_at
        assert at is not None
        if call.status in ("scheduled", "queued"):
            allowed = self._window(call, at)
            if allowed is None:
                self._finish(call, "expired", at)
            elif allowed > at:
                call.status = "scheduled"
                call.next_at = allowed
            else:
                self._dial(call, at)
        elif call.status == "ringing" and call.outcome == "completed":
            call.status = "in_progress"
            call.answered_at = at
            call.next_at = at + timedelta(seconds=call.talk_seconds)
        elif call.status == "in_progress":
            call.duration = call.talk_seconds
            self._finish(call, "completed", at)
        else:  # ringing that nobody answers, or that fails
            assert call.outcome is not None
            if call.outcome in RETRIED_OUTCOMES and call.attempts <= call.number_of_retries:
                gap = call.gap_between_retries[
                    min(call.attempts, len(call.gap_between_retries)) - 1
                ]
                call.status = "scheduled"
                call.next_at = at + timedelta(minutes=gap)
            else:
                self._finish(call, call.outcome, at)

    def _dial(self, call: CallKaroCall, at: datetime) -> None:
        # Draw everything every attempt, in one order, so forcing an outcome never shifts
        # the numbers later attempts draw.
        roll = call.rng.uniform(0, 100)
        ring = call.rng.uniform(3.0, 12.0)
        talk = call.rng.randint(15, 120)
        short = call.rng.uniform(0.5, 4.0)
        call.attempts += 1
        call.outcome = self._forced.get(call.to_number) or _pick(roll)
        call.talk_seconds = talk
        call.status = "ringing"
        call.started_at = at
        call.answered_at = None
        ring_for = {"completed": ring, "no_answer": 45.0, "busy": short, "failed": short}
        call.next_at = at + timedelta(seconds=ring_for[call.outcome])

    def _window(self, call: CallKaroCall, at: datetime) -> datetime | None:
        """The earliest moment at or after `at` inside the call's daily trigger window, or
        None when the window has closed for good (no carry_over)."""
        if call.min_trigger_time is None and call.max_trigger_time is None:
            return at
        local = at.astimezone(IST)
        opens = call.min_trigger_time or time(0, 0)
        closes = call.max_trigger_time or time(23, 59, 59)
        if local.time() < opens:
            return datetime.combine(local.date(), opens, IST).astimezone(UTC)
        if local.time() <= closes:
            return at
        if not call.carry_over:
            return None
        # doc: carry_over schedules "to the next day at min_trigger_time"
        return datetime.combine(local.date() + timedelta(days=1), opens, IST).astimezone(UTC)

    def _finish(self, call: CallKaroCall, status: str, at: datetime) -> None:
        call.status = status
        call.ended_at = at
        call.next_at = None
        self._outbox.append(call.webhook_payload())

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake cannot deadlock against it.
        super().advance(seconds)
        self._deliver_webhooks()

    def _deliver_webhooks(self) -> None:
        with self._lock:
            pending, self._outbox = self._outbox, []
        for payload in pending:
            try:
                self.send_webhook(payload)
            except requests.RequestException as exc:
                # A receiver that is down must not stop the provider's clock; the failure
                # is kept for the test to inspect.
                self.webhook_failures.append((payload, repr(exc)))


Fake = CallKaroFake


# -- helpers -----------------------------------------------------------------------------
def _json_object(request: FakeRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value


def _schedule_at(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest("schedule_at must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest("schedule_at must be an ISO 8601 string") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)
    return moment.astimezone(UTC)


def _trigger_time(value: Any, name: str) -> time | None:
    if value is None or value == "":
        return None
    match = _HHMM_RE.match(value) if isinstance(value, str) else None
    if match is None:
        raise BadRequest(f"{name} must be HH:MM")
    return time(int(match.group(1)), int(match.group(2)))


def _gaps(value: Any) -> list[int]:
    """`gap_between_retries`: minutes, one number or a list (doc)."""
    if value is None:
        return [DEFAULT_GAP_MINUTES]
    gaps = value if isinstance(value, list) else [value]
    if not gaps or not all(_is_int(gap) and gap >= 0 for gap in gaps):
        raise BadRequest(
            "gap_between_retries must be a non-negative integer or a list of them (minutes)"
        )
    return list(gaps)


def _object_id(moment: datetime, rng: random.Random) -> str:
    """A 24-hex id shaped like the doc's `batch_id` (a MongoDB ObjectId: time + random)."""
    return f"{int(moment.timestamp()):08x}{rng.getrandbits(64):016x}"


def _pick(roll: float) -> str:
    for outcome, weight in OUTCOME_WEIGHTS:
        if roll < weight:
            return outcome
        roll -= weight
    return OUTCOME_WEIGHTS[-1][0]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
