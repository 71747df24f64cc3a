"""The Robotalker fake over real HTTP: auth, E.164, variables, the single call, SMS and
contacts, limits, faults and the shapes the doc does not give. Webhooks and campaigns:
test_robotalker_fake_webhooks.py.

No Django and no database: the fake and a tiny webhook receiver, both on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.fakes.robotalker import PATHS, STATUS_WORDS, TERMINAL_STATUSES, RobotalkerFake
from tests.fakes.robotalker_support import (
    AUTH,
    CALLER_ID,
    KEY,
    Receiver,
    api,
    call_body,
    ident,
    numbers,
    place,
)
from tests.fakes.robotalker_support import fake_fixture as fake_fixture
from tests.fakes.robotalker_support import receiver_fixture as receiver_fixture


# -- auth and validation --------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": KEY}, {"X-API-Key": KEY}],
)
def test_a_wrong_or_missing_key_is_401_and_creates_nothing(
    fake: RobotalkerFake, headers: dict[str, str]
) -> None:
    response = api(fake, "create_call", call_body(), headers=headers)
    assert response.status_code == 401
    assert "error" in response.json()
    assert fake.calls == {}


@pytest.mark.parametrize("field", ["to", "from", "message"])
def test_a_missing_required_field_is_400_naming_it(fake: RobotalkerFake, field: str) -> None:
    body = call_body()
    del body[field]
    response = place(fake, body)
    assert response.status_code == 400
    assert response.json() == {"error": f"Missing required field: {field}"}
    assert fake.calls == {}


def test_malformed_json_is_400(fake: RobotalkerFake) -> None:
    response = requests.post(
        fake.base_url + PATHS["create_call"][1],
        data=b'{"to": "+1212',
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed JSON")


@pytest.mark.parametrize(
    "number", ["2125550100", "+1 212 555 0100", "+1-212-555-0100", "0012125550100", "+0123", 1]
)
def test_every_phone_number_must_be_e164(fake: RobotalkerFake, number: Any) -> None:
    requests_with_number = [
        ("create_call", call_body(to=number)),
        ("create_call", {**call_body(), "from": number}),
        ("send_sms", {"to": number, "from": CALLER_ID, "message": "hi"}),
        ("send_sms", {"from": CALLER_ID, "message": "hi", "recipients": [{"to": number}]}),
        ("save_contact", {"phone": number}),
        (
            "create_campaign",
            {"name": "c", "from": CALLER_ID, "message": "hi", "contacts": [{"to": number}]},
        ),
    ]
    for name, body in requests_with_number:
        response = api(fake, name, body)
        assert response.status_code == 400, name
        assert "E.164" in response.json()["error"], name
    assert (fake.calls, fake.sms, fake.contacts, fake.campaigns) == ({}, {}, {}, {})


def test_an_unknown_dtmf_action_or_key_is_400(fake: RobotalkerFake) -> None:
    assert place(fake, call_body(dtmf={"1": {"action": "transfer"}})).status_code == 400
    assert place(fake, call_body(dtmf={"12": {"action": "optout"}})).status_code == 400
    assert place(fake, call_body(dtmf={"1": {"action": "webhook"}})).status_code == 400


# -- the single call ---------------------------------------------------------------------
def test_the_docs_example_call_is_accepted_with_the_docs_response(
    fake: RobotalkerFake,
) -> None:
    body = {
        "to": "+12125550100",
        "from": "+18005550199",
        "message": "Hello {FIRST_NAME}, this is a reminder about your appointment on "
        "{APPT_DATE} at {APPT_TIME}. Press 1 to confirm or 2 to reschedule.",
        "voice": "en-US-Neural-F",
        "variables": {
            "FIRST_NAME": "Sarah",
            "APPT_DATE": "Tuesday, April 15th",
            "APPT_TIME": "3:15 PM",
        },
        "dtmf": {
            "1": {"action": "webhook", "url": "https://yourapp.com/confirm"},
            "2": {"action": "webhook", "url": "https://yourapp.com/reschedule"},
            "9": {"action": "optout"},
        },
        "webhook_url": "https://yourapp.com/call-status",
    }
    response = place(fake, body)
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"call_id", "status", "to", "created_at"}
    assert created["status"] == "queued"
    assert created["to"] == "+12125550100"
    assert created["created_at"] == "2026-01-05T10:00:00Z"
    details = api(fake, "call_details", id=created["call_id"])
    assert details.json()["message"] == (
        "Hello Sarah, this is a reminder about your appointment on Tuesday, April 15th at "
        "3:15 PM. Press 1 to confirm or 2 to reschedule."
    )
    assert details.json()["voice"] == "en-US-Neural-F"


def test_a_variable_without_a_value_is_400(fake: RobotalkerFake) -> None:
    body = call_body(message="Hi {FIRST_NAME}, see you {DAY}", variables={"FIRST_NAME": "Al"})
    response = place(fake, body)
    assert response.status_code == 400
    assert "DAY" in response.json()["error"]
    assert fake.calls == {}


def test_an_unknown_call_is_404(fake: RobotalkerFake) -> None:
    response = api(fake, "call_details", id="cal_nothere")
    assert response.status_code == 404
    assert response.json() == {"error": "Call not found"}


def test_calls_move_only_when_the_clock_is_advanced(fake: RobotalkerFake) -> None:
    call_id = place(fake, call_body()).json()["call_id"]
    assert api(fake, "call_details", id=call_id).json()["status"] == "queued"
    assert api(fake, "call_details", id=call_id).json()["status"] == "queued"
    fake.advance(300)
    after = api(fake, "call_details", id=call_id).json()
    assert after["status"] in TERMINAL_STATUSES
    assert after["ended_at"] is not None


def test_play_forward_depends_on_the_seed_only(receiver: Receiver) -> None:
    def outcomes(seed: int, steps: list[int]) -> list[tuple[str, int, str | None]]:
        server = RobotalkerFake(seed=seed).start()
        try:
            dtmf = {"1": {"action": "webhook", "url": receiver.url("/confirm")}}
            for number in numbers(20):
                place(server, call_body(to=number, dtmf=dtmf))
            for step in steps:
                server.advance(step)
            return [(c.status, c.duration_seconds, c.dtmf_response) for c in server.calls.values()]
        finally:
            server.stop()

    first = outcomes(7, [300])
    assert first == outcomes(7, [3] * 100)  # how the test splits time changes nothing
    assert first != outcomes(8, [300])
    assert {status for status, _, _ in first} <= set(STATUS_WORDS)


def test_force_outcome_decides_how_later_calls_to_a_number_end(fake: RobotalkerFake) -> None:
    for status in sorted(TERMINAL_STATUSES):
        fake.force_outcome("+12125550100", status)
        call_id = place(fake, call_body()).json()["call_id"]
        fake.advance(300)
        assert fake.calls[call_id].status == status
    with pytest.raises(ValueError):
        fake.force_outcome("+12125550100", "ringing")


# -- SMS and contacts ----------------------------------------------------------------------
def test_sms_single_and_bulk(fake: RobotalkerFake) -> None:
    sms = {"to": "+12125550100", "from": CALLER_ID, "message": "Hi {N}", "variables": {"N": 1}}
    single = api(fake, "send_sms", sms)
    assert single.status_code == 201
    assert single.json()["status"] == "queued"
    assert fake.sms[ident(single.json(), "sms_id")]["message"] == "Hi 1"

    fake.opt_out("+12125550102")
    recipients = [
        {"to": "+12125550101", "variables": {"N": "Ann"}},
        {"to": "+12125550102", "variables": {"N": "Bo"}},
    ]
    bulk = api(
        fake, "send_sms", {"from": CALLER_ID, "message": "Hello {N}", "recipients": recipients}
    )
    assert bulk.status_code == 201
    sent = bulk.json()
    assert sent["count"] == 2
    assert [m["status"] for m in sent["messages"]] == ["queued", "opted_out"]
    ann = fake.sms[ident(sent["messages"][0], "sms_id")]
    assert (ann["message"], ann["batch_id"]) == ("Hello Ann", ident(sent, "batch_id"))

    refused = api(fake, "send_sms", {"to": "+12125550102", "from": CALLER_ID, "message": "hi"})
    assert refused.status_code == 400


def test_contacts_are_saved_once_per_number_with_their_opt_out_status(
    fake: RobotalkerFake,
) -> None:
    first = api(fake, "save_contact", {"phone": "+12125550100", "first_name": "Ann"})
    assert first.status_code == 201
    assert first.json()["opted_out"] is False
    update = api(fake, "save_contact", {"phone": "+12125550100", "opted_out": True})
    assert update.status_code == 200
    assert update.json()["contact_id"] == first.json()["contact_id"]
    assert update.json()["first_name"] == "Ann"
    assert update.json()["opted_out_at"] == "2026-01-05T10:00:00Z"
    api(fake, "save_contact", {"phone": "+12125550101"})

    everyone = api(fake, "list_contacts").json()["contacts"]
    assert [c["phone"] for c in everyone] == ["+12125550100", "+12125550101"]
    out = api(fake, "list_contacts", params={"opted_out": "true"}).json()["contacts"]
    assert [c["phone"] for c in out] == ["+12125550100"]
    assert place(fake, call_body(to="+12125550100")).status_code == 400


# -- rate limits and faults ----------------------------------------------------------------
def test_the_rate_limit_answers_429_with_retry_after_until_the_minute_turns(
    fake: RobotalkerFake,
) -> None:
    fake.rate_limit_per_minute = 3
    wrong_key = {"Authorization": "Bearer no"}
    for _ in range(5):  # unauthenticated requests spend nothing
        assert api(fake, "list_contacts", headers=wrong_key).status_code == 401
    for _ in range(3):
        assert api(fake, "list_contacts").status_code == 200
    limited = api(fake, "list_contacts")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "60"
    assert "error" in limited.json()

    fake.advance(45)
    assert api(fake, "list_contacts").headers["Retry-After"] == "15"
    fake.advance(15)
    assert api(fake, "list_contacts").status_code == 200


def test_an_injected_429_carries_the_given_retry_after(fake: RobotalkerFake) -> None:
    fake.inject("429", retry_after=7, path_contains="/api/v1/calls")
    limited = place(fake, call_body())
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert fake.calls == {}
    assert place(fake, call_body()).status_code == 201


def test_every_path_in_the_table_is_served(fake: RobotalkerFake) -> None:
    for name, (method, path, source) in PATHS.items():
        assert source in ("doc", "guess")
        url = fake.base_url + path.format(id="cal_nothere")
        response = requests.request(method, url, json={}, headers=AUTH, timeout=5)
        assert not response.json().get("error", "").startswith("No route"), name


# -- shapes the doc does not give vary -----------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_answers_the_doc_does_not_show_alternate_their_shape(seed: int) -> None:
    fake = RobotalkerFake(seed=seed).start()
    try:
        body = {
            "name": "c",
            "from": CALLER_ID,
            "message": "Hi.",
            "contacts": [{"to": "+12125550101"}],
        }
        answers = [api(fake, "create_campaign", body).json() for _ in range(4)]
        keys = {("campaign_id" if "campaign_id" in a else "id") for a in answers}
        kinds = {type(a.get("campaign_id", a.get("id"))) for a in answers}
        assert keys == {"campaign_id", "id"}
        assert kinds == {str, int}
        assert any("object" in a for a in answers) and any("object" not in a for a in answers)
        for answer in answers:  # every shape names a campaign the fake serves
            campaign_id = ident(answer, "campaign_id")
            assert api(fake, "campaign_details", id=campaign_id).status_code == 200
        # The doc's one answer is served as printed, every time.
        for _ in range(3):
            assert set(place(fake, call_body()).json()) == {"call_id", "status", "to", "created_at"}
    finally:
        fake.stop()
