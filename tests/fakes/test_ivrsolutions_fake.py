"""The IVR Solutions fake over real HTTP (no Django, no database): the PATHS table, auth,
validation, templates and dialers, DIDs. Calls on the clock, webhooks and faults:
test_ivrsolutions_fake_clock.py."""

from __future__ import annotations

import pytest

from tests.fakes.ivrsolutions import PATHS, STATUS_WORDS, Fake, IVRSolutionsFake
from tests.fakes.ivrsolutions_support import (
    DID,
    ROUTES,
    TOKEN,
    c2c,
    call,
    placed,
    refusal,
)
from tests.fakes.ivrsolutions_support import fake_fixture as fake_fixture
from tests.fakes.ivrsolutions_support import receiver_fixture as receiver_fixture


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
