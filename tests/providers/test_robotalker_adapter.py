"""The Robotalker adapter over real HTTP against its fake (tests/fakes/robotalker.py):
registration, placing TTS calls and faults. (Events, campaigns, SMS:
test_robotalker_events.py.)"""

import pytest

from telephony.providers import registry
from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    Capability,
    InvalidRequest,
    OutboundCallRequest,
    ProviderError,
    RateLimited,
)
from telephony.providers.robotalker.adapter import STATUS_TABLE, RobotalkerProvider
from telephony.providers.robotalker.api import PATHS
from tests.fakes import robotalker as fake_module
from tests.providers.recording_guard import RecordingGuard
from tests.providers.robotalker_support import CALLER_ID, CUSTOMER, make_provider, place_call, sent
from tests.providers.robotalker_support import catcher_fixture as catcher_fixture
from tests.providers.robotalker_support import fake_fixture as fake_fixture
from tests.providers.robotalker_support import provider_fixture as provider_fixture


# -- registration and declared capabilities -----------------------------------------------
def test_registered_with_the_paths_the_fake_serves():
    assert registry.provider_class("robotalker") is RobotalkerProvider
    assert PATHS == fake_module.PATHS
    assert set(fake_module.STATUS_WORDS) <= set(STATUS_TABLE)


def test_every_capability_it_lacks_has_its_own_reason():
    assert set(Capability) - RobotalkerProvider.capabilities == set(RobotalkerProvider.missing)
    assert "bridge an agent" in RobotalkerProvider.missing_reason(Capability.CLICK_TO_CALL)


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = make_provider(fake, api_key="wrong")
    with pytest.raises(AuthenticationFailed, match="Robotalker rejected the API key"):
        provider.test_connection()
    with pytest.raises(AuthenticationFailed, match="rejected the API key"):
        place_call(provider)
    assert fake.calls == {}


def test_connection_with_a_good_key_counts_opted_out_contacts(fake, provider):
    fake.opt_out(CUSTOMER)
    assert provider.test_connection() == (
        "Robotalker accepted the API key; 1 opted-out contact(s) on file."
    )


# -- placing a TTS call -------------------------------------------------------------------
def test_tts_call_sends_the_docs_shape_with_voice_optout_key_and_webhook(fake):
    provider = make_provider(fake, webhook_url="http://127.0.0.1:9/webhooks/tok/")
    call_id = place_call(
        provider,
        text="Hi {FIRST_NAME}, see you {APPT_DATE}.",
        FIRST_NAME="Sarah",
        APPT_DATE="Tuesday",
    )
    [request] = sent(fake)
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
    provider = make_provider(fake, voice="en-GB-Neural-M", optout_key="#")
    place_call(provider)
    body = sent(fake)[0].json()
    assert body["voice"] == "en-GB-Neural-M"
    assert body["dtmf"] == {"#": {"action": "optout"}}
    assert "webhook_url" not in body  # no URL configured: none sent


def test_numbers_are_sent_as_e164(fake, provider):
    request = OutboundCallRequest(
        to_number="(212) 555-0100", did_number="800 555 0199", reference="1", text="Hello."
    )
    provider.tts_call(request)
    body = sent(fake)[0].json()
    assert (body["to"], body["from"]) == (CUSTOMER, CALLER_ID)


def test_variable_values_are_sent_as_text(fake, provider):
    place_call(provider, text="Order {ORDER} of {COUNT}.", ORDER="A-7", COUNT=3)
    assert sent(fake)[0].json()["variables"] == {"ORDER": "A-7", "COUNT": "3"}


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
    provider = make_provider(fake, api_key="")
    with pytest.raises(InvalidRequest, match="API key is not set"):
        place_call(provider)
    assert fake.requests == []


def test_an_invalid_optout_key_is_caught_before_sending(fake):
    with pytest.raises(InvalidRequest, match="opt-out key"):
        place_call(make_provider(fake, optout_key="10"))
    assert fake.requests == []


def test_an_opted_out_number_is_refused_with_the_providers_reason(fake, provider):
    fake.opt_out(CUSTOMER)
    with pytest.raises(InvalidRequest, match="has opted out"):
        place_call(provider)


# -- faults: 429, 500, timeouts, unreadable answers ---------------------------------------
def test_429_on_a_read_waits_as_long_as_retry_after_says(fake, provider):
    call_id = place_call(provider)
    fake.inject("429", retry_after=2, path_contains="/api/v1/calls/")
    assert provider.call_details(call_id).provider_call_id == call_id
    assert provider.sleeps and provider.sleeps[0] >= 2
    assert len(sent(fake, "GET")) == 2


def test_the_fakes_own_rate_limit_is_honoured_on_reads(fake, provider):
    call_id = place_call(provider)
    fake.rate_limit_per_minute = 2  # the create above spent one; one read left this minute
    provider.call_details(call_id)
    with pytest.raises(RateLimited) as caught:
        provider.call_details(call_id)  # the clock stands still: every retry meets 429
    assert caught.value.retry_after >= 1
    assert all(wait >= 1 for wait in provider.sleeps)


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider):
    fake.inject("429", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        place_call(provider)
    assert caught.value.retry_after == 7
    assert len(fake.requests) == 1 and provider.sleeps == []


def test_500_on_a_read_is_retried(fake, provider):
    call_id = place_call(provider)
    fake.inject("500", count=2, path_contains="/api/v1/calls/")
    assert provider.call_details(call_id).provider_call_id == call_id
    assert len(sent(fake, "GET")) == 3 and len(provider.sleeps) == 2


def test_500_on_placing_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        place_call(provider)
    assert len(fake.requests) == 1


def test_timeout_on_placing_is_ambiguous_and_sent_once(fake):
    provider = make_provider(fake, read_timeout=0.3)
    fake.inject("timeout")
    with pytest.raises(AmbiguousOutcome, match="did not answer within 0.3 s"):
        place_call(provider)
    assert len(fake.requests) == 1 and fake.calls == {}


def test_an_unreadable_answer_to_a_placed_call_is_ambiguous(fake, provider):
    fake.inject("truncated")
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted"):
        place_call(provider)


def test_garbage_answer_to_a_read_is_a_clear_error(fake, provider):
    call_id = place_call(provider)
    fake.inject("garbage", count=10)
    with pytest.raises(ProviderError, match="not JSON"):
        provider.call_details(call_id)


def test_requests_go_through_the_guard_as_placing_or_reading(fake):
    guard = RecordingGuard()
    provider = make_provider(fake, guard=guard)
    call_id = place_call(provider)
    provider.call_details(call_id)
    provider.contact_optout_status(CUSTOMER)
    assert guard.acquired == [True, False, False]
    assert guard.released == 3 and guard.successes == 3
