"""The Robotalker adapter over real HTTP against its fake: call details and webhooks,
hosted campaigns, SMS and opt-out status, and events through the inbox."""

import json
import logging
from datetime import datetime, timedelta

import pytest

from contacts.models import DNCEntry
from telephony.models import Call
from telephony.providers.base import (
    CallStatus,
    CampaignNumber,
    CapabilityMissing,
    HostedCampaignSpec,
    InvalidRequest,
    WebhookRejected,
)
from telephony.providers.robotalker.adapter import STATUS_TABLE
from telephony.services.accounts import account_create, provider_for
from telephony.services.inbox import inbox_receive
from tests.fakes.robotalker import RobotalkerFake
from tests.providers.robotalker_support import (
    CALLER_ID,
    CUSTOMER,
    NOW,
    make_provider,
    place_call,
    sent,
)
from tests.providers.robotalker_support import catcher_fixture as catcher_fixture
from tests.providers.robotalker_support import fake_fixture as fake_fixture
from tests.providers.robotalker_support import provider_fixture as provider_fixture


# -- call details and webhooks -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "status", "event"),
    [
        ("answered", CallStatus.COMPLETED, "call.completed"),
        ("no_answer", CallStatus.NO_ANSWER, "call.no_answer"),
        ("voicemail", CallStatus.VOICEMAIL, "call.voicemail"),
        ("failed", CallStatus.FAILED, "call.failed"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])  # the fake varies the events' status words
def test_each_call_event_and_the_details_map_to_one_status(catcher, seed, outcome, status, event):
    fake = RobotalkerFake(seed=seed).start()
    try:
        _each_call_event_maps(fake, catcher, outcome, status, event)
    finally:
        fake.stop()


def _each_call_event_maps(fake, catcher, outcome, status, event):
    provider = make_provider(fake, webhook_url=catcher.url)
    fake.force_outcome(CUSTOMER, outcome)
    call_id = place_call(provider)
    assert provider.call_details(call_id).status == CallStatus.QUEUED
    fake.advance(300)
    call_events = [(b, h) for b, h in catcher.received if json.loads(b)["event"] == event]
    [(body, headers)] = call_events
    provider.verify_webhook(body=body, headers=headers, now=NOW)  # unsigned: URL token only
    [update] = provider.parse_webhook(body, headers)
    details = provider.call_details(call_id)
    # The event's name decides its outcome; its status word (if any) is kept raw.
    assert update.provider_status == json.loads(body).get("status", "")
    assert details.provider_status == outcome
    for seen in (update, details):
        assert (seen.provider_call_id, seen.status) == (call_id, status)
        assert seen.to_number == CUSTOMER
        assert seen.duration_seconds == fake.calls[call_id].duration_seconds
        assert seen.amd_result == (fake.calls[call_id].amd_result or "")
    assert update.event_type == event
    assert update.dedupe_key == f"robotalker:{event}:{call_id}"
    assert update.occurred_at == fake.calls[call_id].ended_at
    assert details.did_number == CALLER_ID


def test_a_redelivered_event_has_the_same_dedupe_key(fake, catcher):
    provider = make_provider(fake, webhook_url=catcher.url)
    place_call(provider)
    fake.advance(300)
    body, headers = catcher.received[0]
    first = provider.parse_webhook(body, headers)[0]
    again = provider.parse_webhook(body, headers)[0]
    assert first.dedupe_key == again.dedupe_key


def test_the_optout_key_press_arrives_as_a_contact_optout_update(fake, catcher):
    provider = make_provider(fake, webhook_url=catcher.url)
    for n in range(20):  # the fake presses the one configured key on some answered calls
        number = f"+1212555{1000 + n:04d}"
        fake.force_outcome(number, "answered")
        place_call(provider, to=number)
    fake.advance(300)
    updates = [u for body, h in catcher.received for u in provider.parse_webhook(body, h)]
    optouts = [u for u in updates if u.event_type == "contact.optout"]
    assert optouts
    assert {u.to_number for u in optouts} == {
        c.to for c in fake.calls.values() if c.dtmf_response == "9"
    }
    for update in optouts:
        assert update.provider_call_id == "" and update.status == CallStatus.UNKNOWN
        assert update.raw["event"] == "contact.optout"
    completed = [u for u in updates if u.to_number in {o.to_number for o in optouts}]
    assert all(u.dtmf == "9" for u in completed if u.event_type == "call.completed")


def test_a_stop_reply_optout_without_a_call_is_parsed(fake, catcher):
    fake.webhook_url = catcher.url
    fake.opt_out("+442079460000")
    [(body, headers)] = catcher.received
    [update] = make_provider(fake).parse_webhook(body, headers)
    assert update.event_type == "contact.optout"
    assert update.to_number == "+442079460000"
    assert update.dedupe_key == "robotalker:contact.optout:+442079460000:2026-01-05T10:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        b"\x00not json",
        b"[]",
        b'{"call_id": "cal_1", "status": "answered"}',
        b'{"event": "call.completed", "status": "answered"}',
        b'{"event": "contact.optout", "to": "12345"}',
    ],
)
def test_malformed_webhooks_are_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


def test_an_unknown_status_word_is_kept_raw_and_logged(provider, caplog):
    # A documented event names its outcome; an undocumented one has only the word.
    for event, status in (("call.completed", CallStatus.COMPLETED), ("call.x", CallStatus.UNKNOWN)):
        body = json.dumps({"event": event, "call_id": "cal_1", "status": "exploded"})
        with caplog.at_level(logging.WARNING):
            [update] = provider.parse_webhook(body.encode(), {})
        assert (update.status, update.provider_status) == (status, "exploded")
        assert "exploded" in caplog.text
        caplog.clear()


def test_an_event_without_a_status_word_takes_the_events_own(provider):
    body = json.dumps({"event": "call.no_answer", "call_id": "cal_1"}).encode()
    assert provider.parse_webhook(body, {})[0].status == CallStatus.NO_ANSWER


def test_unknown_call_says_so(provider):
    with pytest.raises(InvalidRequest, match="Robotalker does not know call cal_nothere"):
        provider.call_details("cal_nothere")


# -- hosted campaigns --------------------------------------------------------------------------
def _numbers(count, **variables):
    return [
        CampaignNumber(
            f"+1212555{1000 + i:04d}", reference=f"e{i}", variables=variables, name=f"Person {i}"
        )
        for i in range(count)
    ]


def _spec(numbers=None, **kw):
    fields = {"name": "Reminders", "did_number": CALLER_ID, "text": "Hi {name}, day {DAY}."}
    numbers = _numbers(1, DAY="Monday") if numbers is None else numbers
    return HostedCampaignSpec(**{**fields, **kw}, numbers=numbers)


def test_campaign_is_created_with_its_numbers_and_each_ones_variables(fake, catcher):
    provider = make_provider(fake, webhook_url=catcher.url)
    start = NOW + timedelta(minutes=30)
    campaign_id = provider.campaign_create(_spec(_numbers(3, DAY="Monday"), schedule_at=start))
    body = sent(fake)[0].json()
    assert body["contacts"][0] == {
        "to": "+12125551000",
        "variables": {"name": "Person 0", "DAY": "Monday"},
    }
    assert body["schedule_at"] == "2026-01-05T10:30:00Z"
    assert body["webhook_url"] == catcher.url and body["dtmf"] == {"9": {"action": "optout"}}
    campaign = fake.campaigns[campaign_id]
    assert [text for _, text in campaign.recipients][1] == "Hi Person 1, day Monday."
    assert provider.campaign_status(campaign_id).status == "scheduled"


def test_campaign_status_and_results_after_it_ran(fake, catcher):
    provider = make_provider(fake, webhook_url=catcher.url)
    numbers = _numbers(4, DAY="Monday")
    fake.opt_out(numbers[3].number)  # skipped at dial time, counted as done
    campaign_id = provider.campaign_create(_spec(numbers))
    fake.advance(600)
    status = provider.campaign_status(campaign_id)
    assert (status.status, status.total, status.completed, status.pending) == (
        "completed",
        4,
        4,
        0,
    )
    results = list(provider.campaign_results(campaign_id))
    assert {u.to_number for u in results} == {n.number for n in numbers[:3]}
    assert all(u.reference == "" and u.status in set(STATUS_TABLE.values()) for u in results)
    assert all(u.provider_call_id in fake.calls for u in results)


@pytest.mark.parametrize(
    ("spec_kwargs", "message"),
    [
        ({"window_start": "09:00", "window_end": "18:00"}, "no calling window"),
        ({"retries": 2}, "do not retry"),
        ({"text": ""}, "has no text"),
        ({"numbers": ()}, "together with its numbers"),
        ({"did_number": ""}, "needs a caller id"),
        ({"text": "Hi {name}, {OTHER}."}, r"\{OTHER\} but no value"),
        ({"numbers": [CampaignNumber("555", "e0", {"DAY": "x"})]}, "555: Robotalker needs"),
        ({"numbers": _numbers(1, DAY="x") * 2}, "listed twice"),
        ({"schedule_at": datetime(2026, 1, 5, 11)}, "has no time zone"),  # noqa: DTZ001
    ],
)
def test_campaigns_robotalker_cannot_honour_are_refused_before_sending(
    fake, provider, spec_kwargs, message
):
    with pytest.raises(InvalidRequest, match=message):
        provider.campaign_create(_spec(**spec_kwargs))
    assert fake.requests == []


@pytest.mark.parametrize(
    "method", ["campaign_start", "campaign_pause", "campaign_resume", "campaign_stop"]
)
def test_campaign_controls_the_doc_lacks_refuse_with_their_reason(fake, provider, method):
    with pytest.raises(CapabilityMissing, match="Robotalker"):
        getattr(provider, method)("cmp_1")
    with pytest.raises(CapabilityMissing, match="only when the campaign is created"):
        provider.campaign_add_numbers("cmp_1", _numbers(1))
    assert fake.requests == []


def test_unknown_campaign_says_so(provider):
    with pytest.raises(InvalidRequest, match="Robotalker does not know campaign cmp_x"):
        provider.campaign_status("cmp_x")


# -- SMS and opt-out status ------------------------------------------------------------------
def test_sms_is_sent_as_e164_from_the_caller_id(fake, provider):
    sms_id = provider.sms_send(
        to_number="212-555-0100", text="Your code is 1234.", sender=CALLER_ID
    )
    assert fake.sms[sms_id]["to"] == CUSTOMER and fake.sms[sms_id]["from"] == CALLER_ID
    assert fake.sms[sms_id]["message"] == "Your code is 1234."


def test_bulk_sms_answers_one_id_per_number_and_blank_for_opted_out(fake, provider):
    fake.opt_out("+12125550101")
    ids = provider.sms_send_bulk(
        to_numbers=[CUSTOMER, "+12125550101", "+12125550102"],
        text="Sale today.",
        sender=CALLER_ID,
    )
    assert ids[1] == "" and ids[0] in fake.sms and ids[2] in fake.sms


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sender": ""}, "needs a caller id"),
        ({"to_number": "123"}, "E.164 for the SMS recipient"),
        ({"text": ""}, "has no text"),
        ({"text": "Hi {NAME}"}, "no value"),
    ],
)
def test_bad_sms_is_caught_before_sending(fake, provider, kwargs, message):
    fields = {"to_number": CUSTOMER, "text": "Hello.", "sender": CALLER_ID}
    with pytest.raises(InvalidRequest, match=message):
        provider.sms_send(**{**fields, **kwargs})
    assert fake.requests == []


def test_optout_status_follows_the_providers_contacts(fake, provider):
    assert provider.contact_optout_status("(212) 555-0100").opted_out is False
    fake.opt_out(CUSTOMER)
    status = provider.contact_optout_status("(212) 555-0100")
    assert (status.number, status.opted_out) == (CUSTOMER, True)


# -- through the inbox -------------------------------------------------------------------------
@pytest.mark.django_db
def test_call_and_optout_events_through_the_inbox(fake, catcher, settings):
    settings.PUBLIC_BASE_URL = catcher.url.removesuffix("/hook")  # the fake posts there
    account = account_create(
        actor=None,
        kind="robotalker",
        name="Robotalker",
        credentials={"api_key": fake.api_key},
        base_url=fake.base_url,
        default_region="US",
    )
    fake.force_outcome(CUSTOMER, "answered")
    call_id = place_call(provider_for(account))
    call = Call.objects.create(
        account=account, provider_call_id=call_id, call_type="tts", to_number=CUSTOMER
    )
    fake.advance(300)
    fake.webhook_url = account.webhook_url  # the account-wide URL, for a number never called
    fake.opt_out("+12125550142")  # a STOP reply to a text
    events = [json.loads(body)["event"] for body, _ in catcher.received]
    assert events[0] == "call.completed" and events[-1] == "contact.optout"
    assert sent(fake)[0].json()["webhook_url"] == account.webhook_url
    for body, headers in catcher.received:
        assert inbox_receive(token=account.webhook_token, body=body, headers=headers).stored == 1
    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED
    assert DNCEntry.objects.filter(phone="+12125550142").exists()
