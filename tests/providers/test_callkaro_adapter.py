"""The CallKaro adapter over real HTTP against its fake (tests/fakes/callkaro.py): the key,
placing voicebot calls, the scheduling fields and faults. (Campaigns and webhooks:
test_callkaro_campaigns_and_webhooks.py.)"""

from datetime import UTC, datetime

import pytest

from telephony.providers import registry
from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    InvalidRequest,
    ProviderError,
    RateLimited,
)
from telephony.providers.callkaro.adapter import REFERENCE_KEY, CallKaroProvider
from telephony.providers.callkaro.api import PATHS
from tests.fakes import callkaro as fake_module
from tests.fakes.callkaro import SEEDED_AGENTS
from tests.providers.callkaro_support import AGENT, CUSTOMER, make_provider, place_call, sent
from tests.providers.callkaro_support import fake_fixture as fake_fixture
from tests.providers.callkaro_support import provider_fixture as provider_fixture


def test_registered_with_every_path_the_fake_serves():
    assert registry.provider_class("callkaro") is CallKaroProvider
    assert fake_module.PATHS == PATHS


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = make_provider(fake, api_key="not-the-key")
    with pytest.raises(AuthenticationFailed, match="CallKaro rejected the API key"):
        place_call(provider)
    with pytest.raises(AuthenticationFailed, match="CallKaro rejected the API key"):
        provider.test_connection()
    assert not fake.calls


def test_a_missing_key_is_caught_before_sending(fake):
    with pytest.raises(AuthenticationFailed, match="API key is not set"):
        place_call(make_provider(fake, api_key=""))
    assert fake.requests == []


def test_connection_with_a_good_key_creates_nothing(fake, provider):
    assert provider.test_connection() == f"CallKaro accepted the API key; calls use agent {AGENT}."
    assert not fake.batches and not fake.calls


def test_voicebot_call_sends_every_documented_field(fake, provider):
    call_id = place_call(
        provider,
        number="09876543210",
        variables={"name": "Abhinav"},
        schedule_at=datetime(2026, 1, 6, 4, 0, tzinfo=UTC),
        window_start="08:30",
        window_end="20:30",
        carry_over=True,
        retries=3,
        retry_gaps_minutes=(30, 120),
        priority=-100,
    )
    assert sent(fake) == [
        {
            "to_number": CUSTOMER,
            "agent_id": AGENT,
            "metadata": {"name": "Abhinav", REFERENCE_KEY: "42"},
            "schedule_at": "2026-01-06T09:30:00",  # India time, like the doc's examples
            "min_trigger_time": "08:30",
            "max_trigger_time": "20:30",
            "carry_over": True,
            "number_of_retries": 3,
            "gap_between_retries": [30, 120],
            "priority": -100,
        }
    ]
    assert fake.requests[0].headers["x-api-key"] == fake.api_key
    call = fake.calls[call_id]
    assert call.gap_between_retries == [30, 120]
    assert call.status == "scheduled"


def test_one_retry_gap_is_sent_as_one_number(fake, provider):
    place_call(provider, retries=2, retry_gaps_minutes=(30,), priority=100)
    assert sent(fake)[0]["gap_between_retries"] == 30
    assert sent(fake)[0]["priority"] == 100


def test_bot_id_picks_the_agent(fake, provider):
    other = list(SEEDED_AGENTS)[0]
    call_id = place_call(provider, bot_id=other)
    assert fake.calls[call_id].agent_id == other


def test_missing_agent_is_caught_before_sending(fake):
    with pytest.raises(InvalidRequest, match="No CallKaro agent id"):
        place_call(make_provider(fake, agent_id=""))
    assert fake.requests == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"priority": 101}, "between -100 and 100"),
        ({"priority": -101}, "between -100 and 100"),
        ({"window_start": "8:30"}, "HH:MM"),
        ({"window_start": "20:00", "window_end": "08:00"}, "start before it ends"),
        ({"schedule_at": datetime(2026, 1, 6, 9, 30)}, "time zone"),  # noqa: DTZ001
        ({"retries": -1}, "cannot be negative"),
        ({"retries": 2, "retry_gaps_minutes": (30, -5)}, "whole minutes"),
        ({"number": "12345"}, "not a valid phone number"),
    ],
)
def test_limits_are_caught_before_sending(fake, provider, fields, message):
    with pytest.raises(InvalidRequest, match=message):
        place_call(provider, **fields)
    assert fake.requests == []


def test_unknown_agent_says_which(fake, provider):
    with pytest.raises(InvalidRequest, match="CallKaro does not know agent nope"):
        place_call(provider, bot_id="nope")


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        ("429", RateLimited, "rate limiting"),
        ("500", ProviderError, "no usable answer to the API key check"),
        ("garbage", None, ""),  # a 2xx of any body: the key was accepted
    ],
)
def test_the_connection_probe_is_a_post_sent_once(fake, provider, kind, error, message):
    fake.inject(kind, retry_after=2, count=10)
    if error is None:
        assert provider.test_connection().startswith("CallKaro accepted")
    else:
        with pytest.raises(error, match=message) as caught:
            provider.test_connection()
        assert not isinstance(caught.value, AmbiguousOutcome)
    assert len(fake.requests) == 1
    assert not fake.batches


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider):
    fake.inject("429", retry_after=5)
    with pytest.raises(RateLimited) as caught:
        place_call(provider)
    assert caught.value.retry_after == 5
    assert len(fake.requests) == 1


def test_500_on_placing_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        place_call(provider)
    assert len(fake.requests) == 1


def test_timeout_on_placing_is_ambiguous(fake):
    provider = make_provider(fake, read_timeout=0.3)
    fake.inject("timeout")
    with pytest.raises(AmbiguousOutcome, match="did not answer"):
        place_call(provider)
    assert len(fake.requests) == 1


def test_an_unreadable_answer_to_a_placed_call_is_ambiguous(fake, provider):
    fake.inject("garbage")
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted on the request"):
        place_call(provider)
