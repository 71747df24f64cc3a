"""The CallKaro fake's calls on its clock, over real HTTP (no Django, no database): playing
calls forward, retries, windows, the call-ended webhook, determinism and faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.base import wait_until
from tests.fakes.callkaro import TERMINAL_STATUSES, CallKaroFake
from tests.fakes.callkaro_support import AGENT, START, WEBHOOK_KEYS, Receiver, call, play_out, post
from tests.fakes.callkaro_support import fake_fixture as fake_fixture
from tests.fakes.callkaro_support import receiver_fixture as receiver_fixture


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
