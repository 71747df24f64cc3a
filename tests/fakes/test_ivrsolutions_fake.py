"""The IVR Solutions fake, exercised over real HTTP with `requests` only (no Django)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.fakes.base import wait_until
from tests.fakes.ivrsolutions import PATHS, STATUS_WORDS, Fake, IVRSolutionsFake

TOKEN = "tok-123"
DID = "+911143104567"  # seeded as owned, the doc's example DID
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = {e.name: e for e in PATHS}


@pytest.fixture
def fake() -> Iterator[IVRSolutionsFake]:
    server = IVRSolutionsFake(api_token=TOKEN, seed=7).start()
    yield server
    server.stop()


def call(fake: IVRSolutionsFake, name: str, *, auth: bool = True, **kwargs) -> requests.Response:
    """Send a request to endpoint `name` with the method and path PATHS gives it."""
    endpoint = ROUTES[name]
    headers = {**(AUTH if auth else {}), **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", 5)
    return requests.request(endpoint.method, fake.url + endpoint.path, headers=headers, **kwargs)


def c2c(fake: IVRSolutionsFake, phone: str = "09876543210", **kwargs) -> requests.Response:
    return call(fake, "c2c_post", json={"did": DID, "ext_no": "2101", "phone": phone}, **kwargs)


def refusal(resp: requests.Response) -> str:
    """A refusal in either form the fake answers (the doc shows none): HTTP 400 with
    `{"status": 400, ...}` or HTTP 200 with `{"status": false, ...}`. Its message."""
    body = resp.json()
    assert (resp.status_code, body["status"]) in ((400, 400), (200, False)), resp.text
    return body["message"]


def placed(fake: IVRSolutionsFake, resp: requests.Response, key: str = "logid"):
    """The fake's call for a placing answer (its logid is a number or text)."""
    return fake.calls[str(resp.json()[key])]


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 recording (headers, raw body) pairs."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return  # keep pytest output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ivr"

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


# -- the PATHS table -----------------------------------------------------------------------
def test_paths_table_is_complete_and_unique():
    assert len(PATHS) == 64  # the doc: "64 REST endpoints, grouped by capability"
    assert len(ROUTES) == len(PATHS)
    assert len({(e.method, e.path) for e in PATHS}) == len(PATHS)
    assert {e.source for e in PATHS} == {"doc", "guess"}
    assert ROUTES["buy_did"].path == "/ivrappv2/buy_did"
    assert ROUTES["click_connect_update"].path == "/api/click_connect_update"
    assert (ROUTES["c2c_post_get"].method, ROUTES["c2c_post_get"].path) == ("GET", "/api/c2c_post")
    assert Fake is IVRSolutionsFake


# -- auth ------------------------------------------------------------------------------------
def test_missing_or_wrong_token_is_rejected(fake):
    resp = c2c(fake, auth=False)
    assert resp.status_code == 401
    assert resp.json() == {"status": 401, "message": "Invalid token"}
    resp = c2c(fake, auth=False, headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    resp = call(fake, "get_did_list", auth=False, params={"token": "nope"})
    assert resp.status_code == 401
    # a right header with a wrong token parameter is still refused
    resp = call(fake, "get_did_list", params={"token": "nope"})
    assert resp.status_code == 401
    assert fake.calls == {}


def test_token_as_query_or_form_param_is_accepted(fake):
    resp = call(
        fake,
        "c2c_post_get",
        auth=False,
        params={"token": TOKEN, "did": DID, "ext_no": "2101", "phone": "09876543210"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["message"] == "Call connecting. Please wait..."
    resp = call(
        fake,
        "c2c_post",
        auth=False,
        files={
            "token": (None, TOKEN),
            "did": (None, DID),
            "ext_no": (None, "2101"),
            "phone": (None, "+919876543211"),
        },
    )  # the doc's curl example posts multipart fields (-F)
    assert resp.status_code == 200, resp.text
    assert len(fake.calls) == 2


# -- validation ------------------------------------------------------------------------------
def test_required_field_missing_is_refused(fake):
    resp = call(fake, "c2c_post", json={"did": DID, "ext_no": "2101"})
    assert refusal(resp) == "phone is required"
    resp = call(fake, "c2c_post", json={"did": DID, "ext_no": "", "phone": "09876543210"})
    assert refusal(resp) == "ext_no is required"
    resp = call(fake, "buy_did", json={"number": "+911143104501"})
    assert refusal(resp) == "country is required"
    assert fake.calls == {}


def test_refusals_come_as_http_400_or_inside_http_200(fake):
    """The doc shows no refusal: both shapes turn up, so the adapter must read both."""
    answers = [call(fake, "c2c_post", json={"did": DID}) for _ in range(12)]
    assert {a.status_code for a in answers} == {200, 400}
    assert {refusal(a) for a in answers} == {"ext_no is required"}


@pytest.mark.parametrize("phone", ["09876543210", "+919876543210", "9876543210", "98765 43210"])
def test_doc_phone_formats_are_accepted(fake, phone):
    resp = c2c(fake, phone)
    assert resp.status_code == 200, resp.text
    assert placed(fake, resp).client_no == "9876543210"


@pytest.mark.parametrize(
    "phone", ["call-me", "12345", "+14155550123", "098765432100", "0012345678"]
)
def test_garbage_phone_numbers_are_rejected(fake, phone):
    resp = c2c(fake, phone)
    assert refusal(resp) == "phone is not a valid phone number"
    assert fake.calls == {}


def test_unknown_did_and_disabled_extension_are_rejected(fake):
    resp = call(
        fake, "c2c_post", json={"did": "+912212345678", "ext_no": "2101", "phone": "09876543210"}
    )
    assert "did" in refusal(resp)
    assert call(fake, "change_agent_status", json={"ext_no": "2101", "status": "0"}).ok
    assert "disabled" in refusal(c2c(fake))
    assert call(fake, "change_agent_status", json={"ext_no": "2101", "status": "1"}).ok
    assert c2c(fake).status_code == 200


def _dialer(fake: IVRSolutionsFake, **overrides) -> int:
    body = {
        "name": "Order Confirmation Dialer",
        "did_no": DID,
        "no_of_call": 2,
        "start_time": "09:00",
        "end_time": "18:00",
        "text_template_id": 101,  # seeded, approved "api_order_confirm"
        **overrides,
    }
    resp = call(fake, "create_text_dialer", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()["dialer_id"]


def test_bulk_add_to_dialer_allows_at_most_100_numbers(fake):
    dialer_id = _dialer(fake)
    numbers = [{"number": f"09{800000000 + i}", "name": f"C{i}"} for i in range(101)]
    resp = call(fake, "add_to_ivrdialerbulk", json={"dialerid": dialer_id, "numbers": numbers})
    assert "100" in refusal(resp)
    resp = call(
        fake, "add_to_ivrdialerbulk", json={"dialerid": dialer_id, "numbers": numbers[:100]}
    )
    assert resp.status_code == 200
    assert resp.json() == {"status": True, "message": "100 numbers added to dialer successfully"}
    row = call(fake, "get_dialers").json()["data"][0]
    assert (row["id"], row["total_numbers"], row["pending"]) == (dialer_id, 100, 100)


def test_bulk_add_rejects_a_bad_number_and_adds_nothing(fake):
    dialer_id = _dialer(fake)
    numbers = [{"number": "09876543210"}, {"number": "not-a-phone"}]
    resp = call(fake, "add_to_ivrdialerbulk", json={"dialerid": dialer_id, "numbers": numbers})
    assert refusal(resp) == "numbers[1].number is not a valid phone number"
    assert call(fake, "get_dialers").json()["data"][0]["total_numbers"] == 0


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("securepass@123", "an uppercase letter"),
        ("SECUREPASS@123", "a lowercase letter"),
        ("SecurePass@abc", "a number"),
        ("SecurePass123", "a special character"),
    ],
)
def test_agent_password_policy(fake, password, missing):
    body = {"name": "Asha", "email": "asha@example.com", "phonenumber": "9876543210"}
    resp = call(fake, "add_agent", json={**body, "password": password})
    assert refusal(resp) == f"password must contain {missing}"
    resp = call(fake, "add_agent", json={**body, "password": "SecurePass@123"})
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data["name"] == "Asha" and data["ext_no"] == "2103"
    agents = call(fake, "get_agents").json()["data"]
    assert "2103" in {a["ext_no"] for a in agents}


def test_agent_phonenumber_must_be_ten_digits(fake):
    body = {"name": "A", "email": "a@example.com", "password": "SecurePass@123"}
    resp = call(fake, "add_agent", json={**body, "phonenumber": "09876543210"})
    assert refusal(resp) == "phonenumber must be 10 digits"


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


# -- templates and dialers -------------------------------------------------------------------
def test_template_is_pending_then_approved_and_then_usable(fake):
    body = {"template_name": "otp_voice", "text_content": "Your OTP is {#var#}."}
    assert call(fake, "create_text_template", json=body).status_code == 200
    status = call(fake, "text_template_status", json={"template_name": "otp_voice"})
    assert status.json()["data"]["status"] == "pending"
    dial = {"did_no": DID, "customer_no": "09354123456", "template_name": "otp_voice"}
    resp = call(fake, "dial_by_text", json={**dial, "Variable": "4711"})
    assert "not approved" in refusal(resp)
    fake.advance(60)
    status = call(fake, "text_template_status", json={"template_name": "otp_voice"})
    assert status.json()["data"]["status"] == "approved"
    resp = call(fake, "dial_by_text", json={**dial, "Variable": "4711"})
    assert resp.status_code == 200
    call_id = resp.json()["call_id"]
    assert call_id.startswith("call_txt_")
    fake.advance(600)
    assert fake.calls[call_id].status in STATUS_WORDS - {"queued", "ringing", "in_progress"}


def test_dialer_runs_its_numbers_within_concurrency(fake):
    dialer_id = _dialer(fake, no_of_call=2)
    numbers = [f"0981111000{i}" for i in range(5)]
    for number in numbers:
        fake.force_outcome(number, "answered")
    resp = call(fake, "add_to_ivrdialerbulk", json={"dialerid": dialer_id, "numbers": numbers})
    assert resp.ok
    fake.advance(60)
    assert not any(c.kind == "dialer" for c in fake.calls.values())  # dialer still off
    assert call(fake, "change_dialer_status", json={"dialerid": dialer_id, "status": "on"}).ok
    live = sum(1 for c in fake.calls.values() if c.ended_at is None)
    assert live == 2
    for _ in range(40):
        fake.advance(30)
        assert sum(1 for c in fake.calls.values() if c.ended_at is None) <= 2
    logs = call(fake, "dialer_logs", json={"dialerid": dialer_id}).json()["data"]
    assert sorted(r["customer_no"] for r in logs) == sorted(n[1:] for n in numbers)
    assert all(r["call_status"] == "answered" and r["dtmf_input"] in "12" for r in logs)
    row = call(fake, "get_dialers").json()["data"][0]
    assert (row["completed"], row["pending"]) == (5, 0)


# -- DIDs ------------------------------------------------------------------------------------
def test_did_search_and_buy(fake):
    search = {"country_code": "IN", "region": "1", "pattern": "4310"}
    found = call(fake, "search_did", json=search).json()
    assert found["status"] is True and found["currency"] == "INR"
    assert "+911143104501" in found["data"]
    assert all("4310" in n for n in found["data"])

    bought = call(fake, "buy_did", json={"country": "IN", "number": "+911143104501"})
    assert bought.json() == {
        "status": True,
        "message": "Did added to your account",
        "data": "+911143104501",
    }
    owned = {d["did_number"] for d in call(fake, "get_did_list").json()["data"]}
    assert "+911143104501" in owned
    assert "+911143104501" not in call(fake, "search_did", json=search).json()["data"]
    again = call(fake, "buy_did", json={"country": "IN", "number": "+911143104501"})
    assert refusal(again) == "number is not available to buy"

    # a bought DID can place calls
    resp = call(
        fake, "c2c_post", json={"did": "01143104501", "ext_no": "2101", "phone": "09876543210"}
    )
    assert resp.status_code == 200

    by_last_digits = {"did_region": "1", "pattern_last_digits": "4310", "size": "20"}
    assert call(fake, "search_did_v2", json=by_last_digits).json()["data"] == ["+911126544310"]

    bangalore = call(fake, "search_did", json={"country_code": "IN", "region": "2"}).json()["data"]
    assert bangalore and all(n.startswith("+9180") for n in bangalore)


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
