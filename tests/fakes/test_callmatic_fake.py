"""The Callmatic fake, exercised over real HTTP with `requests` (no Django, no database)."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import wave
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.fakes.base import wait_until
from tests.fakes.callmatic import (
    EXTRA_CALL_FIELDS,
    MAX_BATCH,
    PATHS,
    SEEDED_CAMPAIGNS,
    STATUS_WORDS,
    TERMINAL_STATUSES,
    CallmaticFake,
    Fake,
)

DOC_CALL_KEYS = {
    "callId", "campaignId", "direction", "phoneNumber", "status", "triggeredAt",
    "startTime", "endTime", "duration", "transcript", "insights",
}  # fmt: skip
KEY = "callmatic-test-key"
CAMPAIGN = "a04c3520-c85c-4443-9ffd-7175625e9ecb"  # the doc's example campaign
OTHER_CAMPAIGN = next(c for c in SEEDED_CAMPAIGNS if c != CAMPAIGN)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")  # the doc's style


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
        # Callmatic signs nothing, so our inbox is reached by a secret token in the URL.
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/webhooks/s3cret-token/"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, _, body in self.events]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake() -> Iterator[CallmaticFake]:
    server = CallmaticFake(seed=3).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    inbox = Receiver()
    yield inbox
    inbox.close()


def post(fake: CallmaticFake, path: str, body: Any, key: str | None = KEY) -> requests.Response:
    headers = {"api-key": key} if key is not None else {}
    return requests.post(fake.base_url + path, json=body, headers=headers, timeout=5)


def get(fake: CallmaticFake, path: str, key: str | None = KEY) -> requests.Response:
    headers = {"api-key": key} if key is not None else {}
    return requests.get(fake.base_url + path, headers=headers, timeout=5)


def place(fake: CallmaticFake, number: str, **variables: Any) -> str:
    resp = post(
        fake, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": number, "variables": variables}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["callId"]


def _filled(call: dict[str, Any]) -> dict[str, Any]:
    """The doc's fields that hold something: what every shape of a call object shares."""
    return {k: v for k, v in call.items() if k in DOC_CALL_KEYS and v not in (None, [])}


def play_out(fake: CallmaticFake, call_id: str, step: float = 0.5) -> list[str]:
    """Advance in small steps until the call ends; the distinct statuses seen, in order."""
    seen = [get(fake, f"/calls/{call_id}").json()["data"]["status"]]
    for _ in range(2000):
        if seen[-1] in TERMINAL_STATUSES:
            return seen
        fake.advance(step)
        status = get(fake, f"/calls/{call_id}").json()["data"]["status"]
        if status != seen[-1]:
            seen.append(status)
    raise AssertionError(f"call never ended: {seen}")


# -- the table adapters will import ---------------------------------------------------------
def test_paths_table_is_importable_and_marks_doc_or_guess() -> None:
    assert Fake is CallmaticFake
    assert PATHS["trigger_call"] == ("POST", "/calls", "doc")
    assert PATHS["trigger_batch"] == ("POST", "/calls/batch", "doc")
    assert PATHS["call_details"] == ("GET", "/calls/{callId}", "doc")
    assert PATHS["recording"] == ("GET", "/recordings/{callId}", "doc")
    assert all(source in ("doc", "guess") for _, _, source in PATHS.values())
    assert STATUS_WORDS["completed"] == "doc"
    assert set(STATUS_WORDS) >= TERMINAL_STATUSES


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["wrong-key", "", None])
@pytest.mark.parametrize("name", sorted(PATHS))
def test_every_path_rejects_a_wrong_or_missing_key(
    fake: CallmaticFake, name: str, key: Any
) -> None:
    method, path, _ = PATHS[name]
    url = fake.base_url + path.replace("{callId}", "e08bad66-ee60-458d-958f-a02b1f12d355")
    headers = {"api-key": key} if key is not None else {}
    resp = requests.request(method, url, json={"campaignId": CAMPAIGN}, headers=headers, timeout=5)
    assert resp.status_code == 401
    assert resp.json() == {"success": False, "error": "Invalid API key"}
    assert fake.calls == {}


def test_another_accounts_key_is_rejected() -> None:
    server = CallmaticFake(api_key="account-b").start()
    try:
        resp = post(server, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"})
        assert resp.status_code == 401
        ok = post(
            server, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"}, "account-b"
        )
        assert ok.status_code == 200
    finally:
        server.stop()


def test_paths_are_served_under_v1_like_the_real_base_url(fake: CallmaticFake) -> None:
    without_v1 = fake.url + "/calls"
    resp = requests.post(without_v1, json={}, headers={"api-key": KEY}, timeout=5)
    assert resp.status_code == 404
    assert resp.json()["success"] is False


# -- single call ----------------------------------------------------------------------------
def test_single_call_answers_the_docs_shape(fake: CallmaticFake) -> None:
    body = {"campaignId": CAMPAIGN, "phoneNumber": "7760524807", "variables": {"name": "Shivank"}}
    resp = post(fake, "/calls", body)
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["success"] is True
    data = payload["data"]
    assert UUID_RE.match(data["callId"])
    assert {k: data[k] for k in ("callId", "phoneNumber", "variables", "campaignId")} == {
        "callId": data["callId"],
        "phoneNumber": "7760524807",
        "variables": {"name": "Shivank"},
        "campaignId": CAMPAIGN,
    }
    assert fake.calls[data["callId"]].status == "queued"


def test_answers_alternate_with_and_without_fields_the_doc_does_not_show(
    fake: CallmaticFake,
) -> None:
    body = {"campaignId": CAMPAIGN, "phoneNumber": "7760524807"}
    answers = [post(fake, "/calls", body).json() for _ in range(2)]
    documented = {"callId", "phoneNumber", "variables", "campaignId"}
    assert sorted(set(a["data"]) == documented for a in answers) == [False, True]
    batches = [
        post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": [{"phoneNumber": n}]})
        for n in ("9000000101", "9000000102")
    ]
    calls = [b.json()["data"]["calls"][0] for b in batches]
    assert sorted("status" in c for c in calls) == [False, True]


def test_a_call_object_varies_what_the_truncated_example_leaves_open(
    fake: CallmaticFake,
) -> None:
    fake.force_outcome("9000000005", "busy")
    call_id = place(fake, "9000000005")
    play_out(fake, call_id)
    shapes = [get(fake, f"/calls/{call_id}").json()["data"] for _ in range(6)]
    assert {s["callId"] for s in shapes} == {call_id} and {s["status"] for s in shapes} == {"busy"}
    assert any("startTime" not in s and "transcript" not in s for s in shapes)
    assert any(s.get("startTime", 1) is None and s.get("transcript") == [] for s in shapes)
    assert any("agentName" in s for s in shapes)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"phoneNumber": "7760524807"}, "campaignId is required"),
        ({"campaignId": CAMPAIGN}, "phoneNumber is required"),
        ({"campaignId": CAMPAIGN, "phoneNumber": ""}, "phoneNumber is required"),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": "77605"},
            "phoneNumber is not a valid phone number",
        ),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": 7760524807},
            "phoneNumber is not a valid phone number",
        ),
        (
            {"campaignId": CAMPAIGN, "phoneNumber": "7760524807", "variables": ["Shivank"]},
            "variables must be an object",
        ),
        (["not", "an", "object"], "Request body must be a JSON object"),
    ],
)
def test_single_call_checks_required_fields(fake: CallmaticFake, body: Any, error: str) -> None:
    resp = post(fake, "/calls", body)
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "error": error}
    assert fake.calls == {}


def test_malformed_json_is_a_400_in_the_docs_shape(fake: CallmaticFake) -> None:
    resp = requests.post(
        fake.base_url + "/calls",
        data=b"{not json",
        headers={"api-key": KEY, "Content-Type": "application/json"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert resp.json()["success"] is False
    assert resp.json()["error"].startswith("malformed JSON")


def test_unknown_campaign_is_rejected(fake: CallmaticFake) -> None:
    resp = post(fake, "/calls", {"campaignId": "no-such-campaign", "phoneNumber": "7760524807"})
    assert resp.status_code == 404
    assert resp.json() == {"success": False, "error": "Campaign not found"}
    batch = post(
        fake, "/calls/batch", {"campaignId": "nope", "to": [{"phoneNumber": "7760524807"}]}
    )
    assert batch.status_code == 404
    assert fake.calls == {}


def test_campaigns_added_by_a_test_can_be_dialed(fake: CallmaticFake) -> None:
    fake.add_campaign("c-added", "Added")
    resp = post(fake, "/calls", {"campaignId": "c-added", "phoneNumber": "7760524807"})
    assert resp.status_code == 200
    assert resp.json()["data"]["campaignId"] == "c-added"


# -- batches --------------------------------------------------------------------------------
def numbers(count: int, start: int = 0) -> list[str]:
    return [f"98{start + i:08d}" for i in range(count)]


def test_batch_of_201_is_rejected_whole(fake: CallmaticFake) -> None:
    to = [{"phoneNumber": n} for n in numbers(MAX_BATCH + 1)]
    resp = post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": to})
    assert resp.status_code == 400
    assert resp.json()["success"] is False
    assert "200" in resp.json()["error"]
    assert fake.calls == {}


def test_batch_of_200_is_accepted_with_duplicates_counted(fake: CallmaticFake) -> None:
    already_queued = place(fake, "9000000001")
    fresh = numbers(196)
    to = (
        [{"phoneNumber": n, "variables": {"name": f"C{i}"}} for i, n in enumerate(fresh)]
        + [{"phoneNumber": "9000000001"}]  # queued earlier in this campaign
        + [{"phoneNumber": fresh[0]}, {"phoneNumber": fresh[1]}, {"phoneNumber": "+" + fresh[2]}]
    )
    assert len(to) == MAX_BATCH
    resp = post(fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": to})
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["success"] is True
    assert payload["message"] == "Call triggered successfully"
    data = payload["data"]
    assert data["duplicates"] == 4
    assert data["enqued"] == 196
    assert data["status"] == "ACTIVE"
    assert data["triggered"] is False
    assert data["campaignId"] == CAMPAIGN
    assert [c["phoneNumber"] for c in data["calls"]] == fresh
    assert data["calls"][5]["variables"] == {"name": "C5"}
    ids = [c["callId"] for c in data["calls"]]
    assert len(set(ids)) == 196 and already_queued not in ids
    assert len(fake.calls) == 197


def test_batch_dedupes_only_within_the_campaign_and_only_calls_still_queued(
    fake: CallmaticFake,
) -> None:
    fake.force_outcome("9000000002", "completed")
    first = place(fake, "9000000002")
    other = post(
        fake, "/calls/batch", {"campaignId": OTHER_CAMPAIGN, "to": [{"phoneNumber": "9000000002"}]}
    )
    assert other.json()["data"]["duplicates"] == 0  # another campaign's queue
    assert other.json()["data"]["enqued"] == 1

    play_out(fake, first)
    again = post(
        fake, "/calls/batch", {"campaignId": CAMPAIGN, "to": [{"phoneNumber": "9000000002"}]}
    )
    assert again.json()["data"]["duplicates"] == 0  # the earlier call is over, so redial
    assert again.json()["data"]["enqued"] == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"campaignId": CAMPAIGN}, "to is required"),
        ({"campaignId": CAMPAIGN, "to": []}, "to must be a non-empty array"),
        (
            {"campaignId": CAMPAIGN, "to": [{"phoneNumber": "7760524807"}, {}]},
            "to[1].phoneNumber is required",
        ),
        ({"campaignId": CAMPAIGN, "to": ["7760524807"]}, "to[0] must be an object"),
    ],
)
def test_batch_checks_required_fields_and_queues_nothing(
    fake: CallmaticFake, body: dict[str, Any], error: str
) -> None:
    resp = post(fake, "/calls/batch", body)
    assert resp.status_code == 400
    assert resp.json() == {"success": False, "error": error}
    assert fake.calls == {}


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
        assert _filled(body) == _filled(get(fake, f"/calls/{call_id}").json()["data"])
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
