"""The IVR Solutions fake's calls on its clock, over real HTTP (no Django, no database): call
life, signed webhooks and faults."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
import requests

from tests.fakes.base import wait_until
from tests.fakes.ivrsolutions import STATUS_WORDS, IVRSolutionsFake
from tests.fakes.ivrsolutions_support import DID, TOKEN, c2c, call, placed, refusal
from tests.fakes.ivrsolutions_support import fake_fixture as fake_fixture
from tests.fakes.ivrsolutions_support import receiver_fixture as receiver_fixture


# -- call life -------------------------------------------------------------------------------
def test_c2c_call_plays_forward_and_shows_in_call_logs(fake):
    fake.force_outcome("+919876543210", "answered")
    resp = c2c(fake, "09876543210")
    assert resp.status_code == 200
    call_ = placed(fake, resp)
    assert call_.status == "queued"
    # logs are written at hangup, like a CDR
    assert call(fake, "call_logs").json()["data"] == []

    seen = set()
    for _ in range(60):
        fake.advance(5)
        seen.add(call_.status)
    assert {"ringing", "in_progress", "answered"} <= seen
    assert seen <= STATUS_WORDS

    rows = call(fake, "call_logs", params={"from_date": "2026-01-05", "to_date": "2026-01-05"})
    (row,) = rows.json()["data"]
    # Another id space than the placing answer's logid (the doc never says they are equal).
    assert str(row["recordid"]) == str(call_.recordid) != str(resp.json()["logid"])
    assert row["call_status"] == "answered"
    assert row["call_duration"] > 0
    assert row["client_no"] == "9876543210"
    assert (row["ext_no"], row["attended_by"], row["call_type"]) == ("2101", "John Doe", "c2c")
    assert row["recording_url"].startswith(f"{fake.url}/monitor/c2c/2026/01/05/")
    audio = requests.get(row["recording_url"], timeout=5)
    assert audio.status_code == 200
    assert audio.headers["Content-Type"] == "audio/mpeg"
    assert audio.content.startswith(b"ID3")
    missing = requests.get(f"{fake.url}/monitor/2026/01/05/rec_1.mp3", timeout=5)
    assert missing.status_code == 404

    # the date range filters, and the other log views agree
    before = call(fake, "call_logs", params={"from_date": "2026-01-01", "to_date": "2026-01-04"})
    assert before.json()["data"] == []
    assert call(fake, "c2c_logs").json()["data"][0]["recordid"] == row["recordid"]
    by_number = call(fake, "call_logs_by_number", params={"phone": "09876543210"})
    assert [r["recordid"] for r in by_number.json()["data"]] == [row["recordid"]]


@pytest.mark.parametrize("outcome", ["no_answer", "busy", "failed"])
def test_forced_unanswered_outcomes_have_no_duration_or_recording(fake, outcome):
    fake.force_outcome("09123400000", outcome)
    c2c(fake, "09123400000")
    fake.advance(120)
    (row,) = call(fake, "call_logs").json()["data"]
    assert row["call_status"] == outcome
    assert row["call_duration"] == 0
    assert row.get("recording_url", "") == ""  # an empty optional field may be left out
    # force_outcome is used up by that one call
    assert fake.state.forced == {}


def test_logid_and_recordid_are_two_id_spaces_unless_shared():
    def ids(server: IVRSolutionsFake) -> tuple[str, str]:
        resp = c2c(server)
        server.advance(600)
        (row,) = call(server, "call_logs").json()["data"]
        return str(resp.json()["logid"]), str(row["recordid"])

    apart = IVRSolutionsFake(api_token=TOKEN, seed=7).start()
    shared = IVRSolutionsFake(api_token=TOKEN, seed=7, shared_ids=True).start()
    try:
        assert ids(apart) == ("123456", "12345")  # the doc's own two example values
        assert ids(shared) == ("123456", "123456")
    finally:
        apart.stop()
        shared.stop()


def test_ids_are_numbers_or_text_and_rows_vary_their_optional_fields(fake):
    answers = [c2c(fake, f"0981234560{i}") for i in range(8)]
    fake.advance(600)
    rows = call(fake, "call_logs").json()["data"]
    assert {type(a.json()["logid"]) for a in answers} == {int, str}
    assert {type(r["recordid"]) for r in rows} == {int, str}
    assert any("circle" in r for r in rows) and any("circle" not in r for r in rows)
    unanswered = [r for r in rows if r["call_status"] != "answered"]
    assert any("dtmf_input" not in r for r in rows) or any(
        "recording_url" not in r for r in unanswered
    )


def test_get_call_status_is_the_status_list_whatever_is_sent(fake):
    """The doc's get_call_status lists the status labels; it looks no call up."""
    logid = c2c(fake).json()["logid"]
    for params in ({}, {"logid": logid}, {"logid": 999}):
        labels = call(fake, "get_call_status", params=params).json()["data"]
        assert {"id": 1, "name": "Interested"} in labels


def test_masked_sessions_are_in_click_connect_logs_not_call_logs(fake):
    body = {"first_phone": "+919876543210", "second_phone": "+919123456789", "did": DID}
    session = placed(fake, call(fake, "click_connect", json=body))
    fake.advance(600)
    assert call(fake, "call_logs").json()["data"] == []  # "click-to-call, dialer and inbound"
    (row,) = call(fake, "click_connect_logs", json={"did": DID}).json()["data"]
    assert str(row["recordid"]) == str(session.recordid)
    assert {row.get("second_number"), row.get("second_phone")} >= {"9123456789"}


def test_call_lives_are_deterministic_per_seed():
    def run(seed: int) -> list[tuple[str, int]]:
        server = IVRSolutionsFake(api_token=TOKEN, seed=seed).start()
        try:
            for i in range(6):
                assert c2c(server, f"0981234560{i}").ok
            server.advance(600)
            return [(c.status, c.duration) for c in server.calls.values()]
        finally:
            server.stop()

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_bad_date_range_and_unknown_extension(fake):
    resp = call(fake, "call_logs", params={"from_date": "05/01/2026"})
    assert refusal(resp) == "from_date must be YYYY-MM-DD"
    resp = call(fake, "call_logs", params={"from_date": "2026-01-06", "to_date": "2026-01-05"})
    assert refusal(resp) == "from_date must not be after to_date"
    resp = call(fake, "get_extension", json={"ext_no": "9999"})
    assert resp.json() == {"status": 404, "message": "Extension not found"}


def test_update_call_note_takes_a_record_id_and_a_status_id(fake):
    resp = c2c(fake)
    call_ = placed(fake, resp)
    body = {"record_id": str(call_.recordid), "call_status": 99, "call_type": "c2c"}
    assert "status ID" in refusal(call(fake, "update_call_note", json=body))
    # "Record ID from call_log API or webhook": the placing logid names no record.
    by_logid = {**body, "record_id": str(resp.json()["logid"]), "call_status": 3}
    assert "not a call record" in refusal(call(fake, "update_call_note", json=by_logid))
    bad_type = {**body, "call_status": 3, "call_type": "video"}
    assert "call_type" in refusal(call(fake, "update_call_note", json=bad_type))
    resp = call(fake, "update_call_note", json={**body, "call_status": 3, "call_remark": "later"})
    assert resp.json() == {"status": True, "message": "Call note updated successfully"}
    assert (call_.disposition_id, call_.note) == (3, "later")


def test_click_connect_cancel_ends_the_session(fake):
    body = {"first_phone": "+919876543210", "second_phone": "+919123456789", "did": DID}
    session = placed(fake, call(fake, "click_connect", json=body))
    update = {"action": "cancel", "did": DID, "first_number": "09876543210"}
    resp = call(fake, "click_connect_update", json=update)
    assert resp.status_code == 200, resp.text
    assert session.status == "cancelled"
    assert call(fake, "click_connect_update", json=update).status_code == 404
    fake.advance(600)  # its planned life must not resurrect it
    (row,) = call(fake, "click_connect_logs", json={"did": DID}).json()["data"]
    assert (str(row["recordid"]), row["call_status"]) == (str(session.recordid), "cancelled")


# -- webhooks --------------------------------------------------------------------------------
def _forms(raw: bytes, key: bytes) -> dict[str, str]:
    digest = hmac.new(key, raw, hashlib.sha256)
    return {
        "hex": digest.hexdigest(),
        "sha256=hex": "sha256=" + digest.hexdigest(),
        "base64": base64.b64encode(digest.digest()).decode(),
    }


def test_webhooks_are_delivered_signed_with_the_secret_key(fake, receiver):
    resp = call(
        fake, "register_webhook", json={"webhookurl": receiver.url, "secret_key": "whsec_abc123"}
    )
    assert resp.status_code == 200
    fake.force_outcome("09871234567", "answered")
    body = {"did_no": DID, "flow_id": "1002", "customer_no": "09871234567"}
    logid = call(fake, "dial_by_flow", json=body).json()["logid"]
    fake.advance(600)
    assert wait_until(lambda: any(e["event"] == "hangup" for e in receiver.events()))

    for headers, raw in receiver.received:
        # The doc says "signed with your key", not how: one of the common forms, or none.
        if "x-ivr-signature" in headers:
            assert headers["x-ivr-signature"] in _forms(raw, b"whsec_abc123").values()
        assert headers["x-ivr-timestamp"] == str(json.loads(raw)["timestamp"])
    events = receiver.events()
    assert [e["event"] for e in events] == ["ringing", "answered", "dtmf", "hangup"]
    assert len({e["event_id"] for e in events}) == len(events)
    assert {str(e["logid"]) for e in events} == {str(logid)}
    assert len({str(e["recordid"]) for e in events}) == 1
    dtmf, hangup = events[2], events[3]
    assert dtmf["digit"] in "12"
    assert hangup["call_status"] == "answered"
    assert hangup["call_duration"] > 0
    assert hangup["recording_url"].startswith(fake.url + "/monitor/2026/01/05/rec_")
    assert hangup["dtmf_input"] == dtmf["digit"]
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)


def test_signature_forms_vary_and_some_events_are_unsigned(fake, receiver):
    call(fake, "register_webhook", json={"webhookurl": receiver.url, "secret_key": "k1"})
    for i in range(6):
        c2c(fake, f"0981234560{i}")
    fake.advance(600)
    assert wait_until(lambda: sum(e["event"] == "hangup" for e in receiver.events()) == 6)
    seen = set()
    for headers, raw in receiver.received:
        value = headers.get("x-ivr-signature")
        seen |= {name for name, form in _forms(raw, b"k1").items() if form == value}
        seen |= set() if value else {"unsigned"}
    assert seen == {"hex", "sha256=hex", "base64", "unsigned"}


def test_a_tampered_body_would_not_verify(fake, receiver):
    call(fake, "register_webhook", json={"webhookurl": receiver.url, "secret_key": "k1"})
    c2c(fake)
    fake.advance(600)
    headers, raw = next((h, r) for h, r in receiver.received if "x-ivr-signature" in h)
    tampered = raw.replace(b'"event":"', b'"event":"x')
    assert headers["x-ivr-signature"] not in _forms(tampered, b"k1").values()
    assert headers["x-ivr-signature"] in _forms(raw, b"k1").values()


# -- faults ----------------------------------------------------------------------------------
def test_timeout_on_c2c_post_still_creates_the_call(fake):
    fake.inject("timeout", path_contains="c2c_post")
    fake.force_outcome("09876543219", "answered")
    with pytest.raises(requests.exceptions.ReadTimeout):
        c2c(fake, "09876543219", timeout=0.5)
    assert len(fake.calls) == 1
    (made,) = fake.calls.values()
    assert made.client_no == "9876543219"
    # the reconciler finds it later in the logs
    fake.advance(600)
    rows = call(fake, "call_logs_by_number", params={"phone": "9876543219"}).json()["data"]
    assert [str(r["recordid"]) for r in rows] == [str(made.recordid)]
    # the fault was used up: the next request answers normally
    assert c2c(fake).status_code == 200


def test_timeout_on_an_unauthenticated_request_creates_nothing(fake):
    fake.inject("timeout", path_contains="c2c_post")
    with pytest.raises(requests.exceptions.ReadTimeout):
        c2c(fake, auth=False, timeout=0.5)
    assert fake.calls == {}


def test_429_fault_carries_retry_after(fake):
    fake.inject("429", retry_after=7, path_contains="call_logs")
    resp = call(fake, "call_logs")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    assert resp.json() == {"status": 429, "message": "Too many requests"}
    assert call(fake, "call_logs").status_code == 200
