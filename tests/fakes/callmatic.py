"""Stateful HTTP fake of Callmatic, written from its public doc
(/work/shared/providers/callmatic.txt).

The doc gives: the base URL `https://api.callmatic.ai/v1`, the `api-key` header, four
endpoints (`POST /calls`, `POST /calls/batch`, `GET /calls/{callId}`,
`GET /recordings/{callId}`) with request/response examples, the batch limit of 200, one
error example `{"success": false, "error": "Invalid API key"}`, one status word
(`completed`) and an unsigned completion webhook whose body equals the call details.

The doc does not give: HTTP status codes for errors, any other status word, what
"duplicates" are, or what a recording looks like. Our choices are marked "guess" below so
a real account can correct them in one place.

Error shape (doc) for every error: `{"success": false, "error": "<message>"}`. Status codes
(guess): 401 wrong or missing `api-key`, 400 bad body / missing field / batch over 200,
404 unknown campaign, call or recording, 429/500 only by fault injection.

Like the real service, the fake serves under `/v1`: point an adapter at `fake.base_url`.

Where the doc is silent the fake varies its answers, so an adapter cannot lean on one
shape. The details example is "(truncated)", so a call object alternates between the doc's
keys with nulls and empty lists, the same without them (an unanswered call has no
`startTime`, no `transcript`), and extra fields we do not read; the triggers' answers
alternate with and without extra fields. The alternation starts at `seed`.
"""

from __future__ import annotations

import hmac
import itertools
import random
import re
import uuid
from datetime import datetime, timedelta
from heapq import heapify, heappop, heappush
from typing import Any

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.callmatic_calls import EXTRA_CALL_FIELDS, CallmaticCall  # noqa: F401 - its API
from tests.fakes.callmatic_media import conversation, wav

# name -> (method, path relative to BASE_URL, "doc" | "guess"). Adapters import this table so
# every Callmatic path lives in one place; the fake registers its routes from it too.
PATHS: dict[str, tuple[str, str, str]] = {
    "trigger_call": ("POST", "/calls", "doc"),
    "trigger_batch": ("POST", "/calls/batch", "doc"),
    "call_details": ("GET", "/calls/{callId}", "doc"),
    "recording": ("GET", "/recordings/{callId}", "doc"),
}
BASE_URL = "https://api.callmatic.ai/v1"
BASE_PATH = "/v1"  # the path part of BASE_URL; the fake serves PATHS under it
AUTH_HEADER = "api-key"  # doc
MAX_BATCH = 200  # doc: "a maximum of 200 calls in a single API request"

# Callmatic's own status words for a call. Only "completed" appears in the doc (details and
# webhook); the rest are our guess, in the same lower-case style, and an adapter maps them
# to the unified vocabulary (unknown words are kept raw there, so a wrong guess is harmless).
STATUS_WORDS: dict[str, str] = {
    "queued": "guess",
    "ringing": "guess",
    "in-progress": "guess",
    "completed": "doc",
    "no-answer": "guess",
    "busy": "guess",
    "failed": "guess",
}
TERMINAL_STATUSES = frozenset({"completed", "no-answer", "busy", "failed"})
# Calls in these states count as "already queued" for the batch duplicate check.
ACTIVE_STATUSES = frozenset({"queued", "ringing", "in-progress"})

# How a dialed call ends when no test forces it (weights out of 100).
OUTCOME_WEIGHTS = (("completed", 60), ("no-answer", 20), ("busy", 10), ("failed", 10))

# Seeded campaigns. The first is the id every example in the doc uses, so requests copied
# from the doc work against the fake.
SEEDED_CAMPAIGNS: dict[str, str] = {
    "a04c3520-c85c-4443-9ffd-7175625e9ecb": "XYZ Collections",
    "5f0c2b1e-7d4a-4c1b-9a57-2e8d3c6b9f10": "Renewal Reminders",
}

_PHONE_RE = re.compile(r"^\+?\d{10,15}$")  # guess: the doc's examples are 10-digit local


class CallmaticFake(FakeProviderServer):
    """Callmatic over real HTTP on 127.0.0.1, with calls that move only on `advance()`."""

    name = "callmatic"

    def __init__(self, *, api_key: str = "callmatic-test-key", seed: int = 0) -> None:
        self.api_key = api_key
        self.seed = seed
        self.campaigns: dict[str, dict[str, str]] = {}
        for campaign_id, campaign_name in SEEDED_CAMPAIGNS.items():
            self.add_campaign(campaign_id, campaign_name)
        self.calls: dict[str, CallmaticCall] = {}
        self._forced: dict[str, str] = {}  # number key -> terminal status
        self._outbox: list[dict[str, Any]] = []  # webhooks waiting for the lock to be released
        self.webhook_failures: list[tuple[dict[str, Any], str]] = []
        # Shape alternation (see the module doc), apart from each call's own generator so
        # a shape never shifts ids or outcomes.
        self._answer_shapes = itertools.count(seed)
        self._detail_shapes = itertools.count(seed)
        self._webhook_shapes = itertools.count(seed)
        super().__init__()

    # -- test helpers --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What an adapter uses in place of BASE_URL."""
        return self.url + BASE_PATH

    def add_campaign(self, campaign_id: str, name: str = "Test campaign") -> dict[str, str]:
        """Create a campaign (the doc has no endpoint for it: campaigns live in the portal)."""
        campaign = {"campaignId": campaign_id, "name": name, "status": "ACTIVE"}
        self.campaigns[campaign_id] = campaign
        return campaign

    def force_outcome(self, number: str, status: str) -> None:
        """Make calls to `number` that are not dialed yet end with `status`."""
        if status not in TERMINAL_STATUSES:
            raise ValueError(f"{status!r} is not one of {sorted(TERMINAL_STATUSES)}")
        with self._lock:
            self._forced[_number_key(number)] = status

    # -- the provider's contract -----------------------------------------------------------
    def register_routes(self) -> None:
        handlers = {
            "trigger_call": self._trigger_call,
            "trigger_batch": self._trigger_batch,
            "call_details": self._call_details,
            "recording": self._recording,
        }
        for name, (method, path, _source) in PATHS.items():
            self.add_route(method, BASE_PATH + path, handlers[name])

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        # The doc shows only "Invalid API key"; a missing header gets the same answer because
        # the doc names no other message. 401 is our guess (the doc gives no codes).
        key = request.headers.get(AUTH_HEADER, "")
        if not key or not hmac.compare_digest(key.encode(), self.api_key.encode()):
            return self.error_response(401, "Invalid API key")
        return None

    def error_response(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status=status, body={"success": False, "error": message})

    def _trigger_call(self, request: FakeRequest) -> dict[str, Any]:
        body = _json_object(request)
        campaign = self._campaign(body)
        phone = _phone(body.get("phoneNumber"), "phoneNumber")
        variables = _variables(body.get("variables"), "variables")
        # A single call is never deduplicated: the doc reports duplicates only for batches.
        call = self._new_call(campaign["campaignId"], phone, variables)
        answer = {
            "success": True,
            "data": {
                "callId": call.call_id,
                "phoneNumber": call.phone_number,
                "variables": call.variables,
                "campaignId": call.campaign_id,
            },
        }
        if next(self._answer_shapes) % 2:  # the doc is silent on other fields: add some
            answer["data"]["status"] = "queued"
            answer["message"] = "Call triggered successfully"
        return answer

    def _trigger_batch(self, request: FakeRequest) -> dict[str, Any]:
        body = _json_object(request)
        campaign = self._campaign(body)
        recipients = body.get("to")
        if recipients is None:
            raise BadRequest("to is required")
        if not isinstance(recipients, list) or not recipients:
            raise BadRequest("to must be a non-empty array")
        if len(recipients) > MAX_BATCH:
            # Checked on the request as sent, before duplicates are removed: the doc limits
            # "calls in a single API request".
            raise BadRequest(f"You can include a maximum of {MAX_BATCH} calls in a single request")
        entries: list[tuple[str, dict[str, Any]]] = []
        for index, item in enumerate(recipients):
            if not isinstance(item, dict):
                raise BadRequest(f"to[{index}] must be an object")
            phone = _phone(item.get("phoneNumber"), f"to[{index}].phoneNumber")
            entries.append((phone, _variables(item.get("variables"), f"to[{index}].variables")))

        # The doc's `duplicates`/`enqued` counts imply that a number already waiting in this
        # campaign, or repeated in this batch, is not dialed twice. Validation above ran to
        # the end first, so a bad entry rejects the whole batch and nothing is half-queued.
        seen = {
            _number_key(call.phone_number)
            for call in self.calls.values()
            if call.campaign_id == campaign["campaignId"] and call.status in ACTIVE_STATUSES
        }
        created: list[CallmaticCall] = []
        duplicates = 0
        for phone, variables in entries:
            key = _number_key(phone)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            created.append(self._new_call(campaign["campaignId"], phone, variables))
        extra = {"status": "queued"} if next(self._answer_shapes) % 2 else {}
        return {
            "success": True,
            "data": {
                "calls": [
                    {
                        "callId": c.call_id,
                        "phoneNumber": c.phone_number,
                        "variables": c.variables,
                        **extra,  # the doc is silent on other fields: some answers add one
                    }
                    for c in created
                ],
                "duplicates": duplicates,
                "enqued": len(created),  # sic: the doc's spelling
                "status": campaign["status"],
                # The doc shows `false` for a fresh batch and does not explain it; echoed as is.
                "triggered": False,
                "campaignId": campaign["campaignId"],
            },
            "message": "Call triggered successfully",
        }

    def _call_details(self, request: FakeRequest) -> dict[str, Any]:
        call = self._call(request.path_params["callId"])
        return {"success": True, "data": call.details(next(self._detail_shapes))}

    def _recording(self, request: FakeRequest) -> FakeResponse:
        call = self._call(request.path_params["callId"])
        if call.recording is None:
            # guess: only an answered, finished call has audio to stream
            raise BadRequest("Recording not found", status=404)
        # The doc: "Returns the audio file stream (format may vary depending on configuration)".
        return FakeResponse(200, call.recording, content_type="audio/wav")

    # -- state -------------------------------------------------------------------------
    def _campaign(self, body: dict[str, Any]) -> dict[str, str]:
        campaign_id = body.get("campaignId")
        if campaign_id is None or campaign_id == "":
            raise BadRequest("campaignId is required")
        if not isinstance(campaign_id, str):
            raise BadRequest("campaignId must be a string")
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            raise BadRequest("Campaign not found", status=404)
        return campaign

    def _call(self, call_id: str) -> CallmaticCall:
        call = self.calls.get(call_id)
        if call is None:
            raise BadRequest("Call not found", status=404)
        return call

    def _new_call(self, campaign_id: str, phone: str, variables: dict[str, Any]) -> CallmaticCall:
        seq = len(self.calls) + 1
        # One generator per call, seeded by its sequence number: a call's id, timing and
        # outcome depend only on (seed, seq), never on how the test chunks `advance()`.
        rng = random.Random(self.seed + seq)
        call = CallmaticCall(
            call_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            seq=seq,
            campaign_id=campaign_id,
            phone_number=phone,
            variables=variables,
            created_at=self.clock,
            rng=rng,
        )
        call.next_at = self.clock + timedelta(seconds=rng.uniform(1.0, 5.0))  # time in queue
        self.calls[call.call_id] = call
        return call

    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Every due state change across all calls, in time order, so webhooks leave in the
        # order the calls ended.
        due = [(c.next_at, c.seq) for c in self.calls.values() if self._is_due(c)]
        heapify(due)
        by_seq = {c.seq: c for c in self.calls.values()}
        while due:
            _, seq = heappop(due)
            call = by_seq[seq]
            self._step(call)
            if self._is_due(call):
                heappush(due, (call.next_at, seq))

    def _is_due(self, call: CallmaticCall) -> bool:
        return call.next_at is not None and call.next_at <= self.clock

    def _step(self, call: CallmaticCall) -> None:
        at = call.next_at
        assert at is not None
        if call.status == "queued":
            # Draw everything every time, in one order, so forcing an outcome never shifts
            # the numbers a call draws later (transcript choices).
            roll = call.rng.uniform(0, 100)
            ring = call.rng.uniform(3.0, 12.0)
            talk = round(call.rng.uniform(15.0, 90.0), 2)
            short = call.rng.uniform(0.5, 4.0)
            call.outcome = self._forced.get(_number_key(call.phone_number)) or _pick(roll)
            call.talk_seconds = talk
            call.status = "ringing"
            call.triggered_at = at
            ring_for = {"completed": ring, "no-answer": 30.0, "busy": short, "failed": short}
            call.next_at = at + timedelta(seconds=ring_for[call.outcome])
        elif call.status == "ringing" and call.outcome == "completed":
            call.status = "in-progress"
            call.start_time = at
            call.next_at = at + timedelta(seconds=call.talk_seconds)
        else:
            self._finish(call, at)

    def _finish(self, call: CallmaticCall, at: datetime) -> None:
        assert call.outcome is not None
        call.status = call.outcome
        call.end_time = at
        call.next_at = None
        if call.outcome == "completed":
            assert call.start_time is not None
            call.duration = call.talk_seconds
            call.transcript, summary = conversation(call, self.campaigns[call.campaign_id])
            call.insights = [{"actionType": "SUMMARIZE", "output": {"summary": summary}}]
            call.recording = wav(call.seq)
        else:
            call.duration = 0  # guess: unanswered calls report no talk time
        # The doc sends the completion webhook "whether successful or failed". It documents
        # no signature, so none is sent; our inbox authenticates it by a secret token in the
        # webhook URL instead.
        self._outbox.append(call.details(next(self._webhook_shapes)))

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake (e.g. GET /calls/{id}) cannot deadlock.
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


Fake = CallmaticFake


# -- helpers -----------------------------------------------------------------------------
def _json_object(request: FakeRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def _phone(value: Any, name: str) -> str:
    if value is None or value == "":
        raise BadRequest(f"{name} is required")
    if not isinstance(value, str) or not _PHONE_RE.match(value):
        raise BadRequest(f"{name} is not a valid phone number")
    return value


def _variables(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must be an object")
    return value


def _number_key(number: str) -> str:
    """Digits only: `+917760524807` and `917760524807` are one recipient."""
    return re.sub(r"\D", "", number)


def _pick(roll: float) -> str:
    for outcome, weight in OUTCOME_WEIGHTS:
        if roll < weight:
            return outcome
        roll -= weight
    return OUTCOME_WEIGHTS[-1][0]
