"""The CallKaro fake, exercised over real HTTP with `requests` (no Django, no database)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.fakes.base import wait_until
from tests.fakes.callkaro import (
    PATHS,
    SEEDED_AGENTS,
    STATUS_WORDS,
    TERMINAL_STATUSES,
    CallKaroFake,
    Fake,
)

KEY = "callkaro-test-key"
AGENT = "6803fa770b666a64ab1694c1e"  # the doc's example agent
OTHER_AGENT = next(a for a in SEEDED_AGENTS if a != AGENT)
OBJECT_ID_RE = re.compile(r"^[0-9a-f]{24}$")
# The fake's clock starts at 2026-01-05 10:00 UTC, which is 15:30 in India.
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
WEBHOOK_KEYS = {
    "event", "call_id", "batch_id", "agent_id", "to_number", "status", "attempts",
    "priority", "metadata", "started_at", "answered_at", "ended_at", "duration",
}  # fmt: skip


class Receiver:
    """A tiny webhook inbox on 127.0.0.1 that records every POST."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, str], bytes]] = []
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                events.append((self.path, headers, body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet; requests are recorded in `events`

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        # CallKaro signs nothing, so our inbox is reached by a secret token in the URL.
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/webhooks/s3cret-token/"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, _, body in self.events]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake() -> Iterator[CallKaroFake]:
    server = CallKaroFake(seed=5).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    inbox = Receiver()
    yield inbox
    inbox.close()


def post(fake: CallKaroFake, path: str, body: Any, key: str | None = KEY) -> requests.Response:
    headers = {"X-API-KEY": key} if key is not None else {}
    return requests.post(fake.base_url + path, json=body, headers=headers, timeout=5)


def call(fake: CallKaroFake, number: str = "+919876543210", **fields: Any) -> str:
    body = {"to_number": number, "agent_id": AGENT, **fields}
    resp = post(fake, "/call/outbound", {k: v for k, v in body.items() if v is not None})
    assert resp.status_code == 200, resp.text
    return resp.json()["call_id"]


def play_out(fake: CallKaroFake, call_id: str, step: float = 1.0) -> list[str]:
    """Advance in small steps until the call ends; the distinct statuses seen, in order."""
    seen = [fake.calls[call_id].status]
    for _ in range(20000):
        if seen[-1] in TERMINAL_STATUSES:
            return seen
        fake.advance(step)
        if fake.calls[call_id].status != seen[-1]:
            seen.append(fake.calls[call_id].status)
    raise AssertionError(f"call never ended: {seen}")


# -- the table adapters will import ---------------------------------------------------------
def test_paths_table_is_importable_and_marks_doc_or_guess() -> None:
    assert Fake is CallKaroFake
    assert PATHS == {
        "outbound_call": ("POST", "/call/outbound", "doc"),
        "create_campaign": ("POST", "/call/campaign", "doc"),
    }
    assert set(STATUS_WORDS.values()) == {"guess"}  # the doc names no status word
    assert set(STATUS_WORDS) >= TERMINAL_STATUSES


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PATHS))
def test_missing_key_is_the_docs_403(fake: CallKaroFake, name: str) -> None:
    method, path, _ = PATHS[name]
    body = {"to_number": "+919876543210", "agent_id": AGENT, "name": "X"}
    for headers in ({}, {"X-API-KEY": ""}):
        resp = requests.request(method, fake.url + path, json=body, headers=headers, timeout=5)
        assert resp.status_code == 403
        assert resp.json() == {"status": "error", "message": "Missing X-API-KEY in headers"}
    assert fake.calls == {} and fake.batches == {}


@pytest.mark.parametrize("name", sorted(PATHS))
def test_wrong_key_is_rejected(fake: CallKaroFake, name: str) -> None:
    method, path, _ = PATHS[name]
    body = {"to_number": "+919876543210", "agent_id": AGENT, "name": "X"}
    resp = requests.request(
        method, fake.url + path, json=body, headers={"X-API-KEY": "wrong"}, timeout=5
    )
    assert resp.status_code == 403
    assert resp.json() == {"status": "error", "message": "Invalid X-API-KEY"}
    assert fake.calls == {} and fake.batches == {}


def test_the_header_name_is_case_insensitive_like_http(fake: CallKaroFake) -> None:
    resp = requests.post(
        fake.url + "/call/outbound",
        json={"to_number": "+919876543210", "agent_id": AGENT},
        headers={"x-api-key": KEY},
        timeout=5,
    )
    assert resp.status_code == 200


# -- POST /call/outbound --------------------------------------------------------------------
def test_outbound_call_with_every_documented_field(fake: CallKaroFake) -> None:
    body = {
        "to_number": "+919876543210",
        "agent_id": AGENT,
        "metadata": {"key1": "Value 1", "key2": 5, "city": "Bangalore"},
        "schedule_at": "2026-01-06T09:30:00",
        "min_trigger_time": "08:30",
        "max_trigger_time": "20:30",
        "carry_over": True,
        "number_of_retries": 3,
        "gap_between_retries": [30, 120],
        "priority": 0,
    }
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["status"] == "success"
    assert payload["message"] == "Call initiated successfully"
    assert OBJECT_ID_RE.match(payload["call_id"])
    stored = fake.calls[payload["call_id"]]
    assert stored.metadata == body["metadata"]
    assert stored.gap_between_retries == [30, 120]
    assert stored.number_of_retries == 3 and stored.carry_over is True
    assert stored.schedule_at == datetime(2026, 1, 6, 4, 0, tzinfo=UTC)  # 09:30 India time
    assert stored.status == "scheduled"


@pytest.mark.parametrize("extra", [{}, {"agent_id": ""}, {"batch_id": "68433b7b0dee98e59245ebab"}])
def test_missing_agent_id_is_the_docs_400(fake: CallKaroFake, extra: dict[str, Any]) -> None:
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", **extra})
    assert resp.status_code == 400
    assert resp.json() == {"status": "error", "message": "Missing agent_id"}
    assert fake.calls == {}


def test_missing_to_number_is_a_400(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/outbound", {"agent_id": AGENT})
    assert resp.status_code == 400
    assert resp.json() == {"status": "error", "message": "Missing to_number"}


def test_unknown_agent_is_the_docs_404(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": "nope"})
    assert resp.status_code == 404
    assert resp.json() == {"status": "error", "message": "Agent does not exist"}
    assert fake.calls == {}


def test_agents_added_by_a_test_can_be_used(fake: CallKaroFake) -> None:
    fake.add_agent("agent-added")
    assert call(fake, agent_id="agent-added") in fake.calls


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to_number", "9876543210", "international format"),
        ("to_number", "+91 98765 43210", "international format"),
        ("to_number", 919876543210, "international format"),
        ("priority", 101, "between -100 and 100"),
        ("priority", -101, "between -100 and 100"),
        ("priority", "5", "between -100 and 100"),
        ("priority", True, "between -100 and 100"),
        ("priority", 1.5, "between -100 and 100"),
        ("number_of_retries", -1, "number_of_retries"),
        ("number_of_retries", "3", "number_of_retries"),
        ("gap_between_retries", [30, "60"], "gap_between_retries"),
        ("gap_between_retries", [], "gap_between_retries"),
        ("gap_between_retries", -5, "gap_between_retries"),
        ("gap_between_retries", "30", "gap_between_retries"),
        ("schedule_at", "tomorrow morning", "schedule_at"),
        ("schedule_at", 1767600000, "schedule_at"),
        ("min_trigger_time", "8.30", "min_trigger_time"),
        ("max_trigger_time", "24:00", "max_trigger_time"),
        ("carry_over", "yes", "carry_over"),
        ("metadata", ["Bangalore"], "metadata"),
        ("agent_id", 42, "agent_id"),
    ],
)
def test_each_field_is_validated(fake: CallKaroFake, field: str, value: Any, message: str) -> None:
    body = {"to_number": "+919876543210", "agent_id": AGENT, field: value}
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["status"] == "error"
    assert message in resp.json()["message"]
    assert fake.calls == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("priority", 100),
        ("priority", -100),
        ("priority", 0),
        ("gap_between_retries", 30),
        ("gap_between_retries", [30, 60]),
        ("number_of_retries", 0),
        ("schedule_at", "2026-01-05T16:00:00+05:30"),
        ("schedule_at", "2026-01-05T10:30:00Z"),
    ],
)
def test_valid_values_at_the_edges_are_accepted(fake: CallKaroFake, field: str, value: Any) -> None:
    resp = post(
        fake, "/call/outbound", {"to_number": "+14155550100", "agent_id": AGENT, field: value}
    )
    assert resp.status_code == 200, resp.text


def test_trigger_window_must_open_before_it_closes(fake: CallKaroFake) -> None:
    body = {"min_trigger_time": "20:30", "max_trigger_time": "08:30"}
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": AGENT, **body})
    assert resp.status_code == 400
    assert "min_trigger_time" in resp.json()["message"]


def test_malformed_json_is_a_400_in_the_docs_shape(fake: CallKaroFake) -> None:
    resp = requests.post(
        fake.url + "/call/outbound",
        data=b"{not json",
        headers={"X-API-KEY": KEY, "Content-Type": "application/json"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert resp.json()["status"] == "error"


# -- POST /call/campaign and calls carrying batch_id -------------------------------------------
def test_campaign_gives_a_batch_id_that_calls_carry(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/campaign", {"name": "Inspection Campaign", "agent_id": OTHER_AGENT})
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["status"] == "success"
    assert payload["message"] == "Campaign created successfully"
    batch_id = payload["batch_id"]
    assert OBJECT_ID_RE.match(batch_id)

    # The doc's "schedule campaign" body leaves agent_id out; its field table requires it.
    body = {
        "to_number": "+919876543210",
        "batch_id": batch_id,
        "metadata": {"city": "Bangalore"},
        "number_of_retries": 3,
        "gap_between_retries": 30,
    }
    refused = post(fake, "/call/outbound", body)
    assert refused.status_code == 400
    assert refused.json() == {"status": "error", "message": "Missing agent_id"}
    assert fake.calls == {}
    scheduled = post(fake, "/call/outbound", {**body, "agent_id": OTHER_AGENT})
    assert scheduled.status_code == 200
    stored = fake.calls[scheduled.json()["call_id"]]
    assert stored.batch_id == batch_id
    assert stored.agent_id == OTHER_AGENT
    assert stored.number_of_retries == 3 and stored.gap_between_retries == [30]
    assert fake.batches[batch_id].call_ids == [stored.call_id]


def test_a_call_in_a_batch_may_name_another_agent(fake: CallKaroFake) -> None:
    # guess: the doc does not say; the call runs the agent it names.
    batch_id = post(fake, "/call/campaign", {"name": "C", "agent_id": OTHER_AGENT}).json()[
        "batch_id"
    ]
    call_id = call(fake, batch_id=batch_id)
    assert fake.calls[call_id].agent_id == AGENT


def test_unknown_batch_is_a_404(fake: CallKaroFake) -> None:
    body = {"to_number": "+919876543210", "agent_id": AGENT, "batch_id": "68433b7b0dee98e59245ebab"}
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 404
    assert resp.json() == {"status": "error", "message": "Batch does not exist"}
    assert fake.calls == {}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"agent_id": AGENT}, 400, "Missing name"),
        ({"name": "Inspection Campaign"}, 400, "Missing agent_id"),
        ({"name": "Inspection Campaign", "agent_id": "nope"}, 404, "Agent does not exist"),
    ],
)
def test_campaign_checks_its_fields(
    fake: CallKaroFake, body: dict[str, Any], status: int, message: str
) -> None:
    resp = post(fake, "/call/campaign", body)
    assert resp.status_code == status
    assert resp.json() == {"status": "error", "message": message}
    assert fake.batches == {}


def test_batch_ids_are_distinct(fake: CallKaroFake) -> None:
    ids = {
        post(fake, "/call/campaign", {"name": f"C{i}", "agent_id": AGENT}).json()["batch_id"]
        for i in range(5)
    }
    assert len(ids) == 5 and set(fake.batches) == ids


# -- playing calls forward and the call-ended webhook --------------------------------------------
def test_call_plays_forward_on_advance_and_webhook_is_delivered(
    fake: CallKaroFake, receiver: Receiver
) -> None:
    fake.webhook_url = receiver.url
    fake.force_outcome("+919876543210", "completed")
    call_id = call(fake, metadata={"name": "Abhinav"}, priority=7)
    assert fake.calls[call_id].status == "queued"
    fake.advance(0.5)  # every call waits at least a second in the queue
    assert fake.calls[call_id].status == "queued" and receiver.events == []

    assert play_out(fake, call_id) == ["queued", "ringing", "in_progress", "completed"]
    assert wait_until(lambda: len(receiver.events) == 1)
    path, headers, _ = receiver.events[0]
    body = receiver.bodies()[0]
    assert path == "/webhooks/s3cret-token/"
    assert headers["content-type"] == "application/json"
    assert not [h for h in headers if "signature" in h or "hmac" in h]
    stored = fake.calls[call_id]
    assert body == stored.webhook_payload(5)  # seed 5: the sixth shape of the alternation
    assert set(body) == {*WEBHOOK_KEYS, "agent_name", "hangup_cause", "cost"} - {"call_id"} | {"id"}
    assert body["event"] == "call.ended"
    assert body["id"] == call_id and body["status"] == "completed"
    assert body["agent_id"] == AGENT and body["to_number"] == "+919876543210"
    assert body["batch_id"] is None and body["priority"] == 7
    assert body["metadata"] == {"name": "Abhinav"} and body["attempts"] == 1
    started, answered, ended = (
        datetime.fromisoformat(body[k]) for k in ("started_at", "answered_at", "ended_at")
    )
    assert START < started < answered < ended
    assert body["duration"] == float(stored.duration) == int((ended - answered).total_seconds())
    fake.advance(3600)
    assert len(receiver.events) == 1  # one webhook per call


def test_unanswered_call_is_retried_with_the_gaps_given(
    fake: CallKaroFake, receiver: Receiver
) -> None:
    fake.webhook_url = receiver.url
    fake.force_outcome("+919876543210", "no_answer")
    call_id = call(fake, number_of_retries=2, gap_between_retries=[1, 2])
    dials: list[datetime] = []
    for _ in range(600):
        fake.advance(1)
        stored = fake.calls[call_id]
        if stored.started_at and (not dials or dials[-1] != stored.started_at):
            dials.append(stored.started_at)
        if stored.status in TERMINAL_STATUSES:
            break
        if stored.attempts < 3:
            assert receiver.events == []  # nothing is sent between attempts
    assert fake.calls[call_id].status == "no_answer"
    assert fake.calls[call_id].attempts == 3
    # An unanswered attempt rings 45 s, then waits the gap: 1 minute, then 2 minutes.
    assert [b - a for a, b in zip(dials, dials[1:], strict=False)] == [
        timedelta(seconds=45 + 60),
        timedelta(seconds=45 + 120),
    ]
    assert wait_until(lambda: len(receiver.events) == 1)
    body = receiver.bodies()[0]
    assert body["status"] == "no_answer" and body["attempts"] == 3
    assert body.get("answered_at") is None and float(body["duration"]) == 0


def test_a_failed_call_is_not_retried(fake: CallKaroFake) -> None:
    fake.force_outcome("+919876543210", "failed")
    call_id = call(fake, number_of_retries=3, gap_between_retries=1)
    assert play_out(fake, call_id) == ["queued", "ringing", "failed"]
    assert fake.calls[call_id].attempts == 1


def test_scheduled_call_waits_for_schedule_at_in_india_time(fake: CallKaroFake) -> None:
    call_id = call(fake, schedule_at="2026-01-05T16:00:00")  # 10:30 UTC
    assert fake.calls[call_id].status == "scheduled"
    fake.advance(29 * 60)
    assert fake.calls[call_id].attempts == 0
    fake.advance(60)
    assert fake.calls[call_id].attempts == 1
    assert fake.calls[call_id].started_at == datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def test_closed_window_carries_over_to_the_next_morning(fake: CallKaroFake) -> None:
    # 15:30 India time is past a 15:00 close; carry_over moves the call to 08:30 tomorrow.
    window = {"min_trigger_time": "08:30", "max_trigger_time": "15:00", "carry_over": True}
    call_id = call(fake, **window)
    assert fake.calls[call_id].status == "scheduled"
    fake.advance(16 * 3600)
    assert fake.calls[call_id].attempts == 0
    fake.advance(2 * 3600)
    assert fake.calls[call_id].started_at == datetime(2026, 1, 6, 3, 0, tzinfo=UTC)


def test_closed_window_without_carry_over_expires(fake: CallKaroFake, receiver: Receiver) -> None:
    fake.webhook_url = receiver.url
    call_id = call(fake, min_trigger_time="08:30", max_trigger_time="15:00")
    fake.advance(10)
    assert fake.calls[call_id].status == "expired"
    assert wait_until(lambda: len(receiver.events) == 1)
    body = receiver.bodies()[0]
    assert body["status"] == "expired" and body["attempts"] == 0
    assert body.get("started_at") is None


def test_higher_priority_goes_first_at_the_same_moment(
    fake: CallKaroFake, receiver: Receiver
) -> None:
    fake.webhook_url = receiver.url
    # Same dial time and the same fixed ring time, so both end at one instant.
    fake.force_outcome("+919800000001", "no_answer")
    fake.force_outcome("+919800000002", "no_answer")
    low = call(fake, "+919800000001", schedule_at="2026-01-05T10:05:00Z", priority=-5)
    high = call(fake, "+919800000002", schedule_at="2026-01-05T10:05:00Z", priority=50)
    fake.advance(3600)
    assert wait_until(lambda: len(receiver.events) == 2)
    assert [b.get("call_id") or b["id"] for b in receiver.bodies()] == [high, low]


def test_the_webhook_varies_what_the_doc_leaves_open() -> None:
    server = CallKaroFake().start()
    try:
        server.force_outcome("+919876543210", "completed")
        call_id = call(server)
        server.advance(3600)
        stored = server.calls[call_id]
    finally:
        server.stop()
    shapes = [stored.webhook_payload(shape) for shape in range(12)]
    assert shapes[0].keys() == WEBHOOK_KEYS and shapes[0]["call_id"] == call_id
    assert {s.get("call_id") or s.get("id") for s in shapes} == {call_id}
    assert sum("id" in s for s in shapes) == 6
    assert {type(s["duration"]) for s in shapes} == {int, float, str}
    assert {float(s["duration"]) for s in shapes} == {stored.duration} and stored.duration > 0
    assert any(None in s.values() for s in shapes)
    assert any("batch_id" not in s for s in shapes)
    assert any("hangup_cause" in s for s in shapes)


def test_answers_alternate_with_and_without_fields_the_doc_does_not_show(
    fake: CallKaroFake,
) -> None:
    answers = [post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": AGENT})]
    answers.append(post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": AGENT}))
    documented = {"status", "message", "call_id"}
    assert sorted(len(set(a.json()) - documented) > 0 for a in answers) == [False, True]
    assert all(a.json()["call_id"] in fake.calls for a in answers)


def run_many(seed: int) -> list[tuple[str, str, int]]:
    server = CallKaroFake(seed=seed).start()
    try:
        for i in range(30):
            body = {
                "to_number": f"+9198000{i:05d}",
                "agent_id": AGENT,
                "number_of_retries": 1,
                "gap_between_retries": 5,
            }
            assert post(server, "/call/outbound", body).status_code == 200
        for _ in range(7):  # uneven steps: the result must not depend on how time is chunked
            server.advance(53.3)
        server.advance(3600)
        return [(c.call_id, c.status, c.attempts) for c in server.calls.values()]
    finally:
        server.stop()


def test_outcomes_are_deterministic_per_seed() -> None:
    first, second, other = run_many(7), run_many(7), run_many(8)
    assert first == second
    assert [cid for cid, _, _ in first] != [cid for cid, _, _ in other]
    statuses = {status for _, status, _ in first}
    assert statuses <= TERMINAL_STATUSES and len(statuses) > 1
    assert {attempts for _, _, attempts in first} == {1, 2}  # some calls were retried


def test_force_outcome_rejects_words_that_are_not_outcomes(fake: CallKaroFake) -> None:
    with pytest.raises(ValueError):
        fake.force_outcome("+919876543210", "expired")


# -- fault injection ------------------------------------------------------------------------
def test_429_with_retry_after_then_success(fake: CallKaroFake) -> None:
    fake.inject("429", retry_after=4)
    limited = post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": AGENT})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "4"
    assert limited.json() == {"status": "error", "message": "Too many requests"}
    assert fake.calls == {}  # a refused request places nothing
    call(fake)
    assert len(fake.calls) == 1


def test_500_is_the_docs_server_error(fake: CallKaroFake) -> None:
    fake.inject("500", count=2, path_contains="/call/campaign")
    for _ in range(2):
        resp = post(fake, "/call/campaign", {"name": "C", "agent_id": AGENT})
        assert resp.status_code == 500
        assert resp.json() == {"status": "error", "message": "Server error"}
    assert fake.batches == {}
    call(fake)  # another path was never faulted
    assert post(fake, "/call/campaign", {"name": "C", "agent_id": AGENT}).status_code == 200
