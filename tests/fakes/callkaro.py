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

Required fields are the doc's field table's: `to_number` and `agent_id`, on every call,
one inside a campaign (`batch_id`) too. The doc's "schedule campaign" example leaves
`agent_id` out; the table says it is required, and the fake holds to the table. A call
whose agent differs from its batch's is accepted and uses its own agent (guess).

Where the doc is silent the fake varies its answers, so an adapter cannot lean on one
shape: documented answers alternate with and without extra fields, and the call-ended
webhook (not in the doc at all) alternates its id key (`call_id` / `id`), its duration's
type (integer, float, numeric text) and whether empty optional fields are null or absent.
The alternation starts at `seed`, so a test picks a shape by its seed.
"""

from __future__ import annotations

import hmac
import itertools
import random
from datetime import UTC, datetime, time, timedelta
from heapq import heapify, heappop, heappush
from typing import Any

import requests

from tests.fakes import callkaro_fields as fields
from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.callkaro_calls import (
    WEBHOOK_EVENT,  # noqa: F401 - the fake's API
    CallKaroBatch,
    CallKaroCall,
)
from tests.fakes.callkaro_fields import IST, PRIORITY_RANGE  # noqa: F401 - the fake's API

# name -> (method, path relative to BASE_URL, "doc" | "guess"). Adapters import this table so
# every CallKaro path lives in one place; the fake registers its routes from it too.
PATHS: dict[str, tuple[str, str, str]] = {
    "outbound_call": ("POST", "/call/outbound", "doc"),
    "create_campaign": ("POST", "/call/campaign", "doc"),
}
BASE_URL = "https://api.callkaro.ai"
AUTH_HEADER = "X-API-KEY"  # doc

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

# The agent ids the doc's examples use, so requests copied from the doc work.
SEEDED_AGENTS: dict[str, str] = {
    "6803fa770b65876868ddf": "Inspection agent",
    "6803fa770b666a64ab1694c1e": "Survey agent",
}


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
        # Shape alternation (see the module doc), apart from each call's own generator so
        # a shape never shifts ids or outcomes.
        self._answer_shapes = itertools.count(seed)
        self._webhook_shapes = itertools.count(seed)
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
        body = fields.json_object(request)
        # Shape first (400s), then look-ups (404s), so a malformed request never reveals
        # which agents or batches exist.
        to_number = fields.to_number(body)
        agent_id = fields.optional_str(body, "agent_id")
        batch_id = fields.optional_str(body, "batch_id")
        metadata = fields.metadata(body)
        schedule_at = fields.schedule_at(body.get("schedule_at"))
        min_time = fields.trigger_time(body.get("min_trigger_time"), "min_trigger_time")
        max_time = fields.trigger_time(body.get("max_trigger_time"), "max_trigger_time")
        if min_time and max_time and min_time >= max_time:
            raise BadRequest("min_trigger_time must be earlier than max_trigger_time")
        carry_over = fields.carry_over(body)
        retries = fields.retries(body)
        gaps = fields.gaps(body.get("gap_between_retries"))
        priority = fields.priority(body)
        if agent_id is None:
            raise BadRequest("Missing agent_id")  # doc: required, in a campaign too

        batch = None
        if batch_id is not None:
            batch = self.batches.get(batch_id)
            if batch is None:
                raise BadRequest("Batch does not exist", status=404)  # guess, like the agent's
        if agent_id not in self.agents:
            raise BadRequest("Agent does not exist", status=404)  # doc

        seq = len(self.calls) + 1
        # One generator per call, seeded by its sequence number: a call's id, timing and
        # outcomes depend only on (seed, seq), never on how the test chunks `advance()`.
        rng = random.Random(self.seed + seq)
        call = CallKaroCall(
            call_id=fields.object_id(self.clock, rng),
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
        answer = {
            "status": "success",
            "message": "Call initiated successfully",
            "call_id": call.call_id,
        }
        if next(self._answer_shapes) % 2:  # the doc is silent on other fields: add some
            answer.update(batch_id=batch_id, agent_id=agent_id, scheduled=call.status != "queued")
        return answer

    def _create_campaign(self, request: FakeRequest) -> dict[str, Any]:
        body = fields.json_object(request)
        name = fields.optional_str(body, "name")
        if name is None:
            raise BadRequest("Missing name")  # guess, in the doc's "Missing agent_id" style
        agent_id = fields.optional_str(body, "agent_id")
        if agent_id is None:
            raise BadRequest("Missing agent_id")
        if agent_id not in self.agents:
            raise BadRequest("Agent does not exist", status=404)
        # Batches draw from their own stream (a string seed is hashed deterministically) so
        # creating one never shifts the ids or outcomes of calls.
        rng = random.Random(f"{self.seed}:batch:{len(self.batches) + 1}")
        batch = CallKaroBatch(fields.object_id(self.clock, rng), name, agent_id, self.clock)
        self.batches[batch.batch_id] = batch
        answer = {
            "batch_id": batch.batch_id,
            "message": "Campaign created successfully",
            "status": "success",
        }
        if next(self._answer_shapes) % 2:  # the doc is silent on other fields: add some
            answer.update(name=name, agent_id=agent_id, total_calls=0)
        return answer

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
        self._outbox.append(call.webhook_payload(next(self._webhook_shapes)))

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
def _pick(roll: float) -> str:
    for outcome, weight in OUTCOME_WEIGHTS:
        if roll < weight:
            return outcome
        roll -= weight
    return OUTCOME_WEIGHTS[-1][0]
