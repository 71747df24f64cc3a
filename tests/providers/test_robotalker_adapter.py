"""The Robotalker adapter over real HTTP against its fake (tests/fakes/robotalker.py)."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from contacts.models import DNCEntry
from telephony.models import Call
from telephony.providers import registry
from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    CallStatus,
    CampaignNumber,
    Capability,
    CapabilityMissing,
    HostedCampaignSpec,
    InvalidRequest,
    OutboundCallRequest,
    ProviderError,
    RateLimited,
    WebhookRejected,
)
from telephony.providers.robotalker.adapter import STATUS_TABLE, RobotalkerProvider
from telephony.providers.robotalker.api import PATHS
from telephony.services.accounts import account_create, provider_for
from telephony.services.inbox import inbox_receive
from tests.contract.harness import WebhookCatcher, config
from tests.fakes import robotalker as fake_module
from tests.fakes.robotalker import RobotalkerFake
from tests.providers.recording_guard import RecordingGuard

CALLER_ID = "+18005550199"  # the doc's example numbers
CUSTOMER = "+12125550100"
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the fake's clock


@pytest.fixture
def fake():
    server = RobotalkerFake(seed=0).start()
    yield server
    server.stop()


@pytest.fixture
def catcher():
    receiver = WebhookCatcher()
    yield receiver
    receiver.stop()


def _provider(fake, *, webhook_url="", guard=None, read_timeout=1.0, **credentials):
    creds = {"api_key": fake.api_key, **credentials}
    provider = RobotalkerProvider(
        config(
            "robotalker",
            base_url=fake.base_url,
            credentials=creds,
            default_region="US",
            webhook_url=webhook_url,
            guard=guard,
            read_timeout=read_timeout,
        )
    )
    provider.sleeps = []
    provider.http.sleep = provider.sleeps.append  # backoff recorded, not slept
    return provider


@pytest.fixture
def provider(fake):
    return _provider(fake)


def _call(provider, to=CUSTOMER, text="Hello {FIRST_NAME}.", **variables):
    request = OutboundCallRequest(
        to_number=to,
        did_number=CALLER_ID,
        reference="1",
        text=text,
        variables=variables or {"FIRST_NAME": "Sarah"},
    )
    return provider.tts_call(request).provider_call_id


def _sent(fake, method="POST"):
    return [r for r in fake.requests if r.method == method]


# -- registration and declared capabilities -----------------------------------------------
def test_registered_with_the_paths_the_fake_serves():
    assert registry.provider_class("robotalker") is RobotalkerProvider
    assert PATHS == fake_module.PATHS
    assert set(fake_module.STATUS_WORDS) <= set(STATUS_TABLE)


def test_every_capability_it_lacks_has_its_own_reason():
    assert set(Capability) - RobotalkerProvider.capabilities == set(RobotalkerProvider.missing)
    assert "bridge an agent" in RobotalkerProvider.missing_reason(Capability.CLICK_TO_CALL)


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = _provider(fake, api_key="wrong")
    with pytest.raises(AuthenticationFailed, match="Robotalker rejected the API key"):
        provider.test_connection()
    with pytest.raises(AuthenticationFailed, match="rejected the API key"):
        _call(provider)
    assert fake.calls == {}


def test_connection_with_a_good_key_counts_opted_out_contacts(fake, provider):
    fake.opt_out(CUSTOMER)
    assert provider.test_connection() == (
        "Robotalker accepted the API key; 1 opted-out contact(s) on file."
    )


# -- placing a TTS call -------------------------------------------------------------------
def test_tts_call_sends_the_docs_shape_with_voice_optout_key_and_webhook(fake):
    provider = _provider(fake, webhook_url="http://127.0.0.1:9/webhooks/tok/")
    call_id = _call(
        provider,
        text="Hi {FIRST_NAME}, see you {APPT_DATE}.",
        FIRST_NAME="Sarah",
        APPT_DATE="Tuesday",
    )
    [request] = _sent(fake)
    body = request.json()
    assert body == {
        "to": CUSTOMER,
        "from": CALLER_ID,
        "message": "Hi {FIRST_NAME}, see you {APPT_DATE}.",
        "voice": "en-US-Neural-F",
        "variables": {"FIRST_NAME": "Sarah", "APPT_DATE": "Tuesday"},
        "dtmf": {"9": {"action": "optout"}},
        "webhook_url": "http://127.0.0.1:9/webhooks/tok/",
    }
    # Robotalker fills the variables itself: the fake keeps the message as it will speak it.
    assert fake.calls[call_id].message == "Hi Sarah, see you Tuesday."


def test_voice_and_optout_key_come_from_the_account(fake):
    provider = _provider(fake, voice="en-GB-Neural-M", optout_key="#")
    _call(provider)
    body = _sent(fake)[0].json()
    assert body["voice"] == "en-GB-Neural-M"
    assert body["dtmf"] == {"#": {"action": "optout"}}
    assert "webhook_url" not in body  # no URL configured: none sent


def test_numbers_are_sent_as_e164(fake, provider):
    request = OutboundCallRequest(
        to_number="(212) 555-0100", did_number="800 555 0199", reference="1", text="Hello."
    )
    provider.tts_call(request)
    body = _sent(fake)[0].json()
    assert (body["to"], body["from"]) == (CUSTOMER, CALLER_ID)


def test_variable_values_are_sent_as_text(fake, provider):
    _call(provider, text="Order {ORDER} of {COUNT}.", ORDER="A-7", COUNT=3)
    assert _sent(fake)[0].json()["variables"] == {"ORDER": "A-7", "COUNT": "3"}


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"to_number": "12345"}, "E.164 for the number to call"),
        ({"to_number": ""}, "E.164 for the number to call"),
        ({"did_number": ""}, "needs a caller id"),
        ({"did_number": "not a number"}, "E.164 for the caller id"),
        ({"text": "  "}, "has no text"),
        ({"text": "Hello {FIRST_NAME}", "variables": {}}, r"\{FIRST_NAME\} but no value"),
        ({"text": "Hello {FIRST_NAME}", "variables": {"FIRST_NAME": None}}, "no value"),
    ],
)
def test_bad_requests_are_caught_before_sending(fake, provider, request_kwargs, message):
    fields = {"to_number": CUSTOMER, "did_number": CALLER_ID, "reference": "1", "text": "Hi."}
    with pytest.raises(InvalidRequest, match=message):
        provider.tts_call(OutboundCallRequest(**{**fields, **request_kwargs}))
    assert fake.requests == []


def test_a_missing_key_is_caught_before_sending(fake):
    provider = _provider(fake, api_key="")
    with pytest.raises(InvalidRequest, match="API key is not set"):
        _call(provider)
    assert fake.requests == []


def test_an_invalid_optout_key_is_caught_before_sending(fake):
    with pytest.raises(InvalidRequest, match="opt-out key"):
        _call(_provider(fake, optout_key="10"))
    assert fake.requests == []


def test_an_opted_out_number_is_refused_with_the_providers_reason(fake, provider):
    fake.opt_out(CUSTOMER)
    with pytest.raises(InvalidRequest, match="has opted out"):
        _call(provider)


# -- faults: 429, 500, timeouts, unreadable answers ---------------------------------------
def test_429_on_a_read_waits_as_long_as_retry_after_says(fake, provider):
    call_id = _call(provider)
    fake.inject("429", retry_after=2, path_contains="/api/v1/calls/")
    assert provider.call_details(call_id).provider_call_id == call_id
    assert provider.sleeps and provider.sleeps[0] >= 2
    assert len(_sent(fake, "GET")) == 2


def test_the_fakes_own_rate_limit_is_honoured_on_reads(fake, provider):
    call_id = _call(provider)
    fake.rate_limit_per_minute = 2  # the create above spent one; one read left this minute
    provider.call_details(call_id)
    with pytest.raises(RateLimited) as caught:
        provider.call_details(call_id)  # the clock stands still: every retry meets 429
    assert caught.value.retry_after >= 1
    assert all(wait >= 1 for wait in provider.sleeps)


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider):
    fake.inject("429", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        _call(provider)
    assert caught.value.retry_after == 7
    assert len(fake.requests) == 1 and provider.sleeps == []


def test_500_on_a_read_is_retried(fake, provider):
    call_id = _call(provider)
    fake.inject("500", count=2, path_contains="/api/v1/calls/")
    assert provider.call_details(call_id).provider_call_id == call_id
    assert len(_sent(fake, "GET")) == 3 and len(provider.sleeps) == 2


def test_500_on_placing_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        _call(provider)
    assert len(fake.requests) == 1


def test_timeout_on_placing_is_ambiguous_and_sent_once(fake):
    provider = _provider(fake, read_timeout=0.3)
    fake.inject("timeout")
    with pytest.raises(AmbiguousOutcome, match="did not answer within 0.3 s"):
        _call(provider)
    assert len(fake.requests) == 1 and fake.calls == {}


def test_an_unreadable_answer_to_a_placed_call_is_ambiguous(fake, provider):
    fake.inject("truncated")
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted"):
        _call(provider)


def test_garbage_answer_to_a_read_is_a_clear_error(fake, provider):
    call_id = _call(provider)
    fake.inject("garbage", count=10)
    with pytest.raises(ProviderError, match="not JSON"):
        provider.call_details(call_id)


def test_requests_go_through_the_guard_as_placing_or_reading(fake):
    guard = RecordingGuard()
    provider = _provider(fake, guard=guard)
    call_id = _call(provider)
    provider.call_details(call_id)
    provider.contact_optout_status(CUSTOMER)
    assert guard.acquired == [True, False, False]
    assert guard.released == 3 and guard.successes == 3


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
    provider = _provider(fake, webhook_url=catcher.url)
    fake.force_outcome(CUSTOMER, outcome)
    call_id = _call(provider)
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
    provider = _provider(fake, webhook_url=catcher.url)
    _call(provider)
    fake.advance(300)
    body, headers = catcher.received[0]
    first = provider.parse_webhook(body, headers)[0]
    again = provider.parse_webhook(body, headers)[0]
    assert first.dedupe_key == again.dedupe_key


def test_the_optout_key_press_arrives_as_a_contact_optout_update(fake, catcher):
    provider = _provider(fake, webhook_url=catcher.url)
    for n in range(20):  # the fake presses the one configured key on some answered calls
        number = f"+1212555{1000 + n:04d}"
        fake.force_outcome(number, "answered")
        _call(provider, to=number)
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
    [update] = _provider(fake).parse_webhook(body, headers)
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
    provider = _provider(fake, webhook_url=catcher.url)
    start = NOW + timedelta(minutes=30)
    campaign_id = provider.campaign_create(_spec(_numbers(3, DAY="Monday"), schedule_at=start))
    body = _sent(fake)[0].json()
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
    provider = _provider(fake, webhook_url=catcher.url)
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
    call_id = _call(provider_for(account))
    call = Call.objects.create(
        account=account, provider_call_id=call_id, call_type="tts", to_number=CUSTOMER
    )
    fake.advance(300)
    fake.webhook_url = account.webhook_url  # the account-wide URL, for a number never called
    fake.opt_out("+12125550142")  # a STOP reply to a text
    events = [json.loads(body)["event"] for body, _ in catcher.received]
    assert events[0] == "call.completed" and events[-1] == "contact.optout"
    assert _sent(fake)[0].json()["webhook_url"] == account.webhook_url
    for body, headers in catcher.received:
        assert inbox_receive(token=account.webhook_token, body=body, headers=headers).stored == 1
    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED
    assert DNCEntry.objects.filter(phone="+12125550142").exists()
