"""The Callmatic fake's calls on its clock, over real HTTP (no Django, no database): playing
calls forward, determinism, recordings, the completion webhook and faults."""

from __future__ import annotations

import io
import socket
import wave
from datetime import datetime
from typing import Any

import pytest

from tests.fakes.base import wait_until
from tests.fakes.callmatic import EXTRA_CALL_FIELDS, TERMINAL_STATUSES, CallmaticFake
from tests.fakes.callmatic_support import (
    CAMPAIGN,
    DOC_CALL_KEYS,
    TIME_RE,
    Receiver,
    filled,
    get,
    numbers,
    place,
    play_out,
    post,
)
from tests.fakes.callmatic_support import fake_fixture as fake_fixture
from tests.fakes.callmatic_support import receiver_fixture as receiver_fixture


# -- playing calls forward --------------------------------------------------------------------
def test_a_call_plays_forward_only_on_advance_and_shows_transcript_and_insights(
    fake: CallmaticFake,
) -> None:
    fake.force_outcome("7347087599", "completed")
    call_id = place(fake, "7347087599", name="Ashu")
    fresh = get(fake, f"/calls/{call_id}").json()["data"]
    assert fresh["status"] == "queued"
    assert fresh.get("transcript", []) == [] and fresh.get("insights", []) == []
    assert fresh.get("triggeredAt") is None and fresh.get("duration") is None
    fake.advance(0.5)  # every call waits at least a second in the queue
    assert get(fake, f"/calls/{call_id}").json()["data"]["status"] == "queued"

    assert play_out(fake, call_id) == ["queued", "ringing", "in-progress", "completed"]

    resp = get(fake, f"/calls/{call_id}")
    assert resp.status_code == 200
    assert resp.json()["success"] is True
    data = resp.json()["data"]
    assert set(data) - set(EXTRA_CALL_FIELDS) == DOC_CALL_KEYS  # an answered call has them all
    assert data["callId"] == call_id and data["campaignId"] == CAMPAIGN
    assert data["direction"] == "OUTBOUND" and data["phoneNumber"] == "7347087599"
    for name in ("triggeredAt", "startTime", "endTime"):
        assert TIME_RE.match(data[name]), data[name]
    start = datetime.fromisoformat(data["startTime"]).timestamp()
    end = datetime.fromisoformat(data["endTime"]).timestamp()
    assert datetime.fromisoformat(data["triggeredAt"]).timestamp() < start < end
    assert isinstance(data["duration"], float)
    assert data["duration"] == pytest.approx(end - start, abs=0.01)

    transcript = data["transcript"]
    assert len(transcript) >= 2
    assert {turn["sender"] for turn in transcript} == {"bot", "human"}
    assert transcript[0]["sender"] == "bot" and "Ashu" in transcript[0]["text"]
    stamps = [turn["timestamp"] for turn in transcript]
    assert stamps == sorted(stamps) and start <= stamps[0] and stamps[-1] <= end
    assert all(isinstance(turn["text"], str) and turn["text"].strip() for turn in transcript)

    summaries = [i for i in data["insights"] if i["actionType"] == "SUMMARIZE"]
    assert len(summaries) == 1
    assert "Ashu" in summaries[0]["output"]["summary"]


def test_unanswered_call_ends_without_transcript(fake: CallmaticFake) -> None:
    fake.force_outcome("9000000003", "no-answer")
    call_id = place(fake, "9000000003")
    assert play_out(fake, call_id) == ["queued", "ringing", "no-answer"]
    data = get(fake, f"/calls/{call_id}").json()["data"]
    assert data.get("startTime") is None and data["endTime"] is not None
    assert data.get("transcript", []) == [] and data.get("insights", []) == []


def test_unknown_call_is_404(fake: CallmaticFake) -> None:
    resp = get(fake, "/calls/e08bad66-ee60-458d-958f-a02b1f12d355")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "error": "Call not found"}


def run_many(seed: int) -> list[tuple[str, str]]:
    server = CallmaticFake(seed=seed).start()
    try:
        to = [{"phoneNumber": n} for n in numbers(30)]
        post(server, "/calls/batch", {"campaignId": CAMPAIGN, "to": to})
        for _ in range(8):  # uneven steps: the result must not depend on how time is chunked
            server.advance(37.5)
        server.advance(600)
        return [(c.call_id, c.status) for c in server.calls.values()]
    finally:
        server.stop()


def test_outcomes_are_deterministic_per_seed_and_use_the_status_words() -> None:
    first, second, other = run_many(7), run_many(7), run_many(8)
    assert first == second
    assert [cid for cid, _ in first] != [cid for cid, _ in other]
    statuses = {status for _, status in first}
    assert statuses <= TERMINAL_STATUSES
    assert len(statuses) > 1  # the seed mixes outcomes, not only successes


def test_chunking_of_advance_does_not_change_timings() -> None:
    def timeline(steps: list[float]) -> dict[str, Any]:
        server = CallmaticFake(seed=11).start()
        try:
            server.force_outcome("7760524807", "completed")
            call_id = place(server, "7760524807")
            for step in steps:
                server.advance(step)
            return get(server, f"/calls/{call_id}").json()["data"]
        finally:
            server.stop()

    assert timeline([300]) == timeline([1.3] * 100 + [170])


def test_force_outcome_rejects_words_that_are_not_final(fake: CallmaticFake) -> None:
    with pytest.raises(ValueError):
        fake.force_outcome("7760524807", "ringing")


# -- recordings -----------------------------------------------------------------------------
def test_recording_streams_audio_with_a_content_type(fake: CallmaticFake) -> None:
    fake.force_outcome("7760524807", "completed")
    call_id = place(fake, "7760524807")
    early = get(fake, f"/recordings/{call_id}")
    assert early.status_code == 404
    assert early.json() == {"success": False, "error": "Recording not found"}

    play_out(fake, call_id)
    resp = get(fake, f"/recordings/{call_id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "audio/wav"
    assert resp.content[:4] == b"RIFF" and resp.content[8:12] == b"WAVE"
    with wave.open(io.BytesIO(resp.content)) as audio:
        assert audio.getnframes() > 0 and audio.getframerate() == 8000


def test_recording_of_an_unknown_call_is_404(fake: CallmaticFake) -> None:
    resp = get(fake, "/recordings/e08bad66-ee60-458d-958f-a02b1f12d355")
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "error": "Call not found"}


# -- webhooks -------------------------------------------------------------------------------
def test_completion_webhook_is_delivered_as_the_doc_shows(
    fake: CallmaticFake, receiver: Receiver
) -> None:
    fake.webhook_url = receiver.url
    fake.force_outcome("7347087599", "completed")
    fake.force_outcome("9000000004", "busy")
    answered = place(fake, "7347087599", name="Ashu")
    busy = place(fake, "9000000004")
    fake.advance(2)
    assert receiver.events == []  # nothing has ended yet

    fake.advance(600)
    assert wait_until(lambda: len(receiver.events) == 2)
    by_id = {body["callId"]: body for body in receiver.bodies()}
    assert set(by_id) == {answered, busy}
    for call_id, body in by_id.items():  # the doc: the same object as the details
        assert filled(body) == filled(get(fake, f"/calls/{call_id}").json()["data"])
    assert by_id[answered]["status"] == "completed"
    assert by_id[answered]["insights"][0]["actionType"] == "SUMMARIZE"
    assert by_id[busy]["status"] == "busy"  # "whether successful or failed"

    for path, headers, _ in receiver.events:
        assert path == "/webhooks/s3cret-token/"
        assert headers["content-type"] == "application/json"
        assert not [h for h in headers if "signature" in h or "hmac" in h]
    fake.advance(600)
    assert len(receiver.events) == 2  # sent once per call


def test_webhook_to_a_receiver_that_is_down_is_recorded_not_raised(fake: CallmaticFake) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fake.webhook_url = f"http://127.0.0.1:{port}/webhooks/token/"
    call_id = place(fake, "7760524807")
    fake.advance(600)
    assert [payload["callId"] for payload, _ in fake.webhook_failures] == [call_id]


# -- fault injection ------------------------------------------------------------------------
def test_429_with_retry_after_then_success(fake: CallmaticFake) -> None:
    fake.inject("429", retry_after=7, path_contains="/calls")
    body = {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"}
    limited = post(fake, "/calls", body)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.json() == {"success": False, "error": "Too many requests"}
    assert fake.calls == {}  # a refused request places nothing
    assert post(fake, "/calls", body).status_code == 200
    assert len(fake.calls) == 1


def test_500_for_the_injected_count_then_success(fake: CallmaticFake) -> None:
    fake.inject("500", count=2, path_contains="/recordings")
    for _ in range(2):
        resp = get(fake, "/recordings/anything")
        assert resp.status_code == 500
        assert resp.json() == {"success": False, "error": "Internal server error"}
    assert get(fake, "/calls/anything").status_code == 404  # other paths were never faulted
    assert get(fake, "/recordings/anything").status_code == 404  # back to normal
