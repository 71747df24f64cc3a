"""The Robotalker fake's webhooks and the campaigns that send them, over real HTTP.

No Django and no database: the fake and a tiny webhook receiver, both on 127.0.0.1.
"""

from __future__ import annotations

import pytest

from tests.fakes.robotalker import STATUS_EVENTS, TERMINAL_STATUSES, RobotalkerFake
from tests.fakes.robotalker_support import (
    CALLER_ID,
    DOC_EVENT_KEYS,
    Receiver,
    api,
    call_body,
    ident,
    number_of,
    numbers,
    place,
)
from tests.fakes.robotalker_support import fake_fixture as fake_fixture
from tests.fakes.robotalker_support import receiver_fixture as receiver_fixture


# -- webhooks ------------------------------------------------------------------------------
def test_every_call_event_reaches_the_webhook_in_the_docs_shape(
    fake: RobotalkerFake, receiver: Receiver
) -> None:
    for number in numbers(30):
        assert place(fake, call_body(to=number, webhook_url=receiver.url())).status_code == 201
    assert receiver.posts == []  # nothing moves before advance()
    fake.advance(300)

    events = receiver.events()
    assert len(events) == 30
    assert {e["event"] for e in events} == set(STATUS_EVENTS.values())
    other_words = set()
    for event in events:
        call = fake.calls[event["call_id"]]
        assert event["event"] == STATUS_EVENTS[call.status]
        if event["event"] == "call.completed":
            # The doc's example, key for key.
            assert set(event) == DOC_EVENT_KEYS and event["status"] == call.status
        else:
            # No example in the doc: the status word varies (the event name says how
            # the call ended) and null fields may be left out.
            assert {"event", "call_id", "to", "timestamp"} <= set(event) <= DOC_EVENT_KEYS
            other_words.add(event.get("status", "absent"))
            assert event.get("status", call.status) in (call.status, "completed")
        assert event["to"] == call.to
        assert event["duration_seconds"] == call.duration_seconds
        expected_amd = {"answered": "human", "voicemail": "machine"}.get(call.status)
        assert event.get("amd_result") == expected_amd
        if call.status in ("no_answer", "failed"):
            assert event["duration_seconds"] == 0
    assert {"absent", "completed"} <= other_words and other_words - {"absent", "completed"}
    timestamps = [e["timestamp"] for e in events]
    assert timestamps == sorted(timestamps)  # sent in the order the calls ended
    for _, headers, _ in receiver.posts:
        # The doc documents no signature; our side uses a secret URL token instead.
        assert not any("signature" in name.lower() for name in headers)


def test_a_dtmf_webhook_action_posts_the_key_to_its_own_url(
    fake: RobotalkerFake, receiver: Receiver
) -> None:
    dtmf = {"1": {"action": "webhook", "url": receiver.url("/confirm")}}
    for number in numbers(20):
        place(fake, call_body(to=number, dtmf=dtmf, webhook_url=receiver.url()))
    fake.advance(300)

    pressed = {c.call_id for c in fake.calls.values() if c.dtmf_response == "1"}
    assert pressed  # seed 0 presses it on some calls
    confirms = receiver.events("/confirm")
    assert {e["call_id"] for e in confirms} == pressed
    assert all(e["dtmf_response"] == "1" for e in confirms)
    completed = {e["call_id"]: e for e in receiver.events() if e["event"] == "call.completed"}
    assert all(completed[call_id]["dtmf_response"] == "1" for call_id in pressed)


def test_the_optout_key_opts_the_contact_out_and_blocks_new_calls(
    fake: RobotalkerFake, receiver: Receiver
) -> None:
    dtmf = {"9": {"action": "optout"}}
    for number in numbers(20):
        place(fake, call_body(to=number, dtmf=dtmf, webhook_url=receiver.url()))
    fake.advance(300)

    opted = {c.to for c in fake.calls.values() if c.dtmf_response == "9"}
    assert opted
    optouts = [e for e in receiver.events() if e["event"] == "contact.optout"]
    assert {number_of(e) for e in optouts} == opted
    assert all(fake.calls[e["call_id"]].to == number_of(e) for e in optouts)
    listed = api(fake, "list_contacts", params={"opted_out": "true"}).json()["contacts"]
    assert {c["phone"] for c in listed} == opted
    again = place(fake, call_body(to=min(opted)))
    assert again.status_code == 400
    assert "opted out" in again.json()["error"]


def test_opt_out_helper_sends_contact_optout_to_the_numbers_last_webhook(
    fake: RobotalkerFake, receiver: Receiver
) -> None:
    place(fake, call_body(to="+12125550100", webhook_url=receiver.url("/first")))
    fake.opt_out("+12125550100")
    [event] = receiver.events("/first")
    assert number_of(event) == "+12125550100"
    assert {k: v for k, v in event.items() if k not in ("to", "phone")} == {
        "event": "contact.optout",
        "call_id": None,
        "timestamp": "2026-01-05T10:00:00Z",
    }
    fake.opt_out("+12125550100")  # already out: no second event
    assert len(receiver.posts) == 1

    fake.webhook_url = receiver.url("/account")  # a number never called: account-wide URL
    fake.opt_out("+442079460000")
    assert [number_of(e) for e in receiver.events("/account")] == ["+442079460000"]
    with pytest.raises(ValueError):
        fake.opt_out("02079460000")


def test_a_webhook_receiver_that_is_down_does_not_stop_the_clock(fake: RobotalkerFake) -> None:
    place(fake, call_body(webhook_url="http://127.0.0.1:9/down"))
    fake.advance(300)
    assert len(fake.webhook_failures) == 1
    assert fake.webhook_failures[0][0] == "http://127.0.0.1:9/down"
    assert next(iter(fake.calls.values())).status in TERMINAL_STATUSES


# -- campaigns -----------------------------------------------------------------------------
def test_a_campaign_waits_for_its_schedule_then_calls_each_contact(
    fake: RobotalkerFake, receiver: Receiver
) -> None:
    contacts = [
        {"to": "+12125550101", "variables": {"NAME": "Ann"}},
        {"to": "+12125550102", "variables": {"NAME": "Bo"}},
        {"to": "+12125550103", "variables": {"NAME": "Cy"}},
    ]
    fake.opt_out("+12125550103")
    body = {
        "name": "Reminders",
        "from": CALLER_ID,
        "message": "Hi {NAME}, your {THING} is due.",
        "variables": {"THING": "renewal"},
        "contacts": contacts,
        "webhook_url": receiver.url(),
        "schedule_at": "2026-01-05T11:10:00+01:00",  # 10:10 UTC
    }
    created = api(fake, "create_campaign", body)
    assert created.status_code == 201
    campaign = created.json()
    assert campaign["status"] == "scheduled"
    assert campaign["schedule_at"] == "2026-01-05T10:10:00Z"

    fake.advance(9 * 60)
    campaign_id = ident(campaign, "campaign_id")
    before = api(fake, "campaign_details", id=campaign_id).json()
    assert before["status"] == "scheduled"
    assert before["stats"]["pending"] == 3
    assert fake.calls == {}

    fake.advance(60 + 300)
    after = api(fake, "campaign_details", id=campaign_id).json()
    assert after["status"] == "completed"
    stats = after["stats"]
    assert (stats["total"], stats["pending"], stats["opted_out"]) == (3, 0, 1)
    assert sum(stats[word] for word in TERMINAL_STATUSES) == 2
    messages = {c.to: c.message for c in fake.calls.values()}
    assert messages == {
        "+12125550101": "Hi Ann, your renewal is due.",
        "+12125550102": "Hi Bo, your renewal is due.",
    }
    assert {e["call_id"] for e in receiver.events()} == {
        ident(c, "call_id") for c in after["calls"]
    }


def test_a_campaign_with_a_contact_missing_a_variable_is_400(fake: RobotalkerFake) -> None:
    body = {
        "name": "c",
        "from": CALLER_ID,
        "message": "Hi {NAME}",
        "contacts": [{"to": "+12125550101", "variables": {"NAME": "Ann"}}, {"to": "+12125550102"}],
    }
    response = api(fake, "create_campaign", body)
    assert response.status_code == 400
    assert "NAME" in response.json()["error"]
    assert fake.campaigns == {}
