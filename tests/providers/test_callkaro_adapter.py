"""The CallKaro adapter over real HTTP against its fake (tests/fakes/callkaro.py)."""

import json
import logging
from datetime import UTC, datetime

import pytest

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
from telephony.providers.callkaro.adapter import REFERENCE_KEY, CallKaroProvider
from telephony.providers.callkaro.api import PATHS
from telephony.services.accounts import account_create, provider_for
from telephony.services.inbox import inbox_receive
from tests.contract.harness import WebhookCatcher, config
from tests.fakes import callkaro as fake_module
from tests.fakes.base import BadRequest
from tests.fakes.callkaro import SEEDED_AGENTS, CallKaroFake

AGENT = list(SEEDED_AGENTS)[1]
CUSTOMER = "+919876543210"


@pytest.fixture
def fake():
    server = CallKaroFake().start()
    yield server
    server.stop()


def _provider(fake, **credentials) -> CallKaroProvider:
    creds = {"api_key": fake.api_key, "agent_id": AGENT, **credentials}
    provider = CallKaroProvider(
        config("callkaro", base_url=fake.base_url, credentials=creds, read_timeout=1.0)
    )
    provider.http.sleep = lambda seconds: None  # backoff is asserted where it matters
    return provider


@pytest.fixture
def provider(fake):
    return _provider(fake)


def _call(provider, number=CUSTOMER, **kw) -> str:
    request = OutboundCallRequest(to_number=number, did_number="", reference="42", **kw)
    return provider.voicebot_call(request).provider_call_id


def _sent(fake) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests]


def test_registered_with_every_path_the_fake_serves():
    assert registry.provider_class("callkaro") is CallKaroProvider
    assert fake_module.PATHS == PATHS


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = _provider(fake, api_key="not-the-key")
    with pytest.raises(AuthenticationFailed, match="CallKaro rejected the API key"):
        _call(provider)
    with pytest.raises(AuthenticationFailed, match="CallKaro rejected the API key"):
        provider.test_connection()
    assert not fake.calls


def test_a_missing_key_is_caught_before_sending(fake):
    with pytest.raises(AuthenticationFailed, match="API key is not set"):
        _call(_provider(fake, api_key=""))
    assert fake.requests == []


def test_connection_with_a_good_key_creates_nothing(fake, provider):
    assert provider.test_connection() == f"CallKaro accepted the API key; calls use agent {AGENT}."
    assert not fake.batches and not fake.calls


def test_voicebot_call_sends_every_documented_field(fake, provider):
    call_id = _call(
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
    assert _sent(fake) == [
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
    _call(provider, retries=2, retry_gaps_minutes=(30,), priority=100)
    assert _sent(fake)[0]["gap_between_retries"] == 30
    assert _sent(fake)[0]["priority"] == 100


def test_bot_id_picks_the_agent(fake, provider):
    other = list(SEEDED_AGENTS)[0]
    call_id = _call(provider, bot_id=other)
    assert fake.calls[call_id].agent_id == other


def test_missing_agent_is_caught_before_sending(fake):
    with pytest.raises(InvalidRequest, match="No CallKaro agent id"):
        _call(_provider(fake, agent_id=""))
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
        _call(provider, **fields)
    assert fake.requests == []


def test_unknown_agent_says_which(fake, provider):
    with pytest.raises(InvalidRequest, match="CallKaro does not know agent nope"):
        _call(provider, bot_id="nope")


def test_hosted_campaign_is_a_batch_its_calls_join(fake, provider):
    batch_id = provider.campaign_create(HostedCampaignSpec(name="Inspection"))
    assert fake.batches[batch_id].agent_id == AGENT
    numbers = [
        CampaignNumber(CUSTOMER, reference="e1", name="Asha"),
        CampaignNumber("12345", reference="e2"),
        CampaignNumber("+919876543211", reference="e3", variables={"city": "Pune"}),
    ]
    result = provider.campaign_add_numbers(batch_id, numbers)
    assert result.accepted == 2
    assert [number for number, _ in result.rejected] == ["12345"]
    assert fake.batches[batch_id].call_ids == [result.provider_ids["e1"], result.provider_ids["e3"]]
    calls = _sent(fake)[1:]
    assert [c["batch_id"] for c in calls] == [batch_id, batch_id]
    # The doc's field table requires agent_id on every call, a campaign's too.
    assert [c["agent_id"] for c in calls] == [AGENT, AGENT]
    assert calls[0]["metadata"] == {"name": "Asha", REFERENCE_KEY: "e1"}
    assert calls[1]["metadata"] == {"city": "Pune", REFERENCE_KEY: "e3"}


def test_a_campaign_is_created_with_the_agent_its_numbers_carry(fake):
    with pytest.raises(InvalidRequest, match="set the account's agent_id"):
        _provider(fake, agent_id="").campaign_create(HostedCampaignSpec(name="Inspection"))
    other = list(SEEDED_AGENTS)[0]
    with pytest.raises(InvalidRequest, match=f"voicebot is CallKaro agent {other}"):
        _provider(fake).campaign_create(HostedCampaignSpec(name="Inspection", bot_id=other))
    with pytest.raises(InvalidRequest, match="set the account's agent_id"):
        _provider(fake, agent_id="").campaign_add_numbers("b1", [CampaignNumber(CUSTOMER, "e1")])
    assert fake.requests == []
    batch_id = _provider(fake).campaign_create(HostedCampaignSpec(name="Inspection", bot_id=AGENT))
    assert _sent(fake) == [{"name": "Inspection", "agent_id": AGENT}]
    assert fake.batches[batch_id].agent_id == AGENT


def test_unknown_batch_stops_the_push(fake, provider):
    with pytest.raises(InvalidRequest, match="does not know campaign") as caught:
        provider.campaign_add_numbers("nope", [CampaignNumber(CUSTOMER, reference="e1")])
    assert caught.value.partial_result.accepted == 0


def test_a_rate_limit_mid_push_keeps_what_was_placed():
    class Flaky(CallKaroFake):
        def _outbound_call(self, request):
            answer = super()._outbound_call(request)
            self.inject("429", retry_after=30)  # the next number is refused
            return answer

    flaky = Flaky().start()
    try:
        provider = _provider(flaky)
        batch_id = provider.campaign_create(HostedCampaignSpec(name="Inspection"))
        numbers = [CampaignNumber(CUSTOMER, "e1"), CampaignNumber("+919876543211", "e2")]
        with pytest.raises(RateLimited) as caught:
            provider.campaign_add_numbers(batch_id, numbers)
        assert list(caught.value.partial_result.provider_ids) == ["e1"]
        assert len(flaky.calls) == 1
    finally:
        flaky.stop()


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
        _call(provider)
    assert caught.value.retry_after == 5
    assert len(fake.requests) == 1


def test_500_on_placing_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        _call(provider)
    assert len(fake.requests) == 1


def test_timeout_on_placing_is_ambiguous(fake):
    provider = CallKaroProvider(
        config(
            "callkaro",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key, "agent_id": AGENT},
            read_timeout=0.3,
        )
    )
    fake.inject("timeout")
    with pytest.raises(AmbiguousOutcome, match="did not answer"):
        _call(provider)
    assert len(fake.requests) == 1


def test_an_unreadable_answer_to_a_placed_call_is_ambiguous(fake, provider):
    fake.inject("garbage")
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted on the request"):
        _call(provider)


@pytest.mark.parametrize(
    "body", [b"\x00not json", b'"call"', b'{"status": "completed"}', b'{"call_id": "x"}']
)
def test_malformed_webhook_is_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


@pytest.mark.parametrize("seed", range(6))  # the fake's webhook shapes (its module doc)
def test_call_ended_webhook_round_trip(seed):
    fake = CallKaroFake(seed=seed).start()
    provider = _provider(fake)
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    try:
        fake.force_outcome(CUSTOMER, "completed")
        call_id = _call(provider, variables={"name": "Asha"})
        fake.advance(600)
        [(body, headers)] = catcher.received
    finally:
        catcher.stop()
        fake.stop()
    provider.verify_webhook(body=body, headers=headers, now=fake.clock)  # unsigned: accepted
    [update] = provider.parse_webhook(body, headers)
    assert update.provider_call_id == call_id
    assert update.status is CallStatus.COMPLETED
    assert update.reference == "42"
    assert update.to_number == CUSTOMER
    assert update.duration_seconds == fake.calls[call_id].duration > 0
    assert update.occurred_at == fake.calls[call_id].ended_at.replace(microsecond=0)
    assert update.dedupe_key == provider.parse_webhook(body, headers)[0].dedupe_key


def test_a_window_that_closed_cancels_the_call(fake, provider):
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    try:
        # 10:00 UTC is 15:30 in India: past a 08:00-09:00 window, and no carry-over.
        _call(provider, window_start="08:00", window_end="09:00")
        fake.advance(600)
        [(body, headers)] = catcher.received
    finally:
        catcher.stop()
    [update] = provider.parse_webhook(body, headers)
    assert update.provider_status == "expired"
    assert update.status is CallStatus.CANCELED


def test_unknown_status_word_is_kept_raw_and_logged(provider, caplog):
    body = json.dumps({"event": "call.ended", "call_id": "c1", "status": "transferred"})
    with caplog.at_level(logging.WARNING):
        [update] = provider.parse_webhook(body.encode(), {})
    assert update.status is CallStatus.UNKNOWN
    assert update.provider_status == "transferred"
    assert "transferred" in caplog.text


def test_what_the_doc_lacks_is_declared_missing_with_reasons(provider):
    for capability in (Capability.CALL_DETAILS, Capability.CALL_LOGS, Capability.RECORDINGS):
        assert not provider.supports(capability)
        assert "CallKaro" in provider.missing_reason(capability)
    with pytest.raises(CapabilityMissing, match="call-ended webhook"):
        provider.call_details("c1")
    with pytest.raises(CapabilityMissing, match="CallKaro's API offers no recordings"):
        provider.fetch_recording("https://api.callkaro.ai/recording/c1")
    for control in (provider.campaign_pause, provider.campaign_resume, provider.campaign_stop):
        with pytest.raises(CapabilityMissing, match="cannot"):
            control("b1")


def test_every_capability_it_lacks_has_its_own_reason():
    assert set(Capability) - CallKaroProvider.capabilities == set(CallKaroProvider.missing)


def test_a_number_callkaro_refuses_is_rejected_alone():
    class Picky(CallKaroFake):
        def _outbound_call(self, request):
            if json.loads(request.body)["to_number"] == "+919876543211":
                raise BadRequest("to_number is on the national DND registry")
            return super()._outbound_call(request)

    picky = Picky().start()
    try:
        provider = _provider(picky)
        batch_id = provider.campaign_create(HostedCampaignSpec(name="Inspection"))
        numbers = [
            CampaignNumber("+919876543211", "e1"),
            CampaignNumber(CUSTOMER, "e2"),
        ]
        result = provider.campaign_add_numbers(batch_id, numbers)
    finally:
        picky.stop()
    assert result.accepted == 1
    assert list(result.provider_ids) == ["e2"]
    assert result.rejected == (
        (
            "+919876543211",
            "CallKaro refused the request: to_number is on the national DND registry",
        ),
    )


@pytest.mark.django_db
def test_call_ended_webhook_through_the_inbox_finishes_the_call(fake):
    account = account_create(
        actor=None,
        kind="callkaro",
        name="CallKaro",
        credentials={"api_key": fake.api_key, "agent_id": AGENT},
        base_url=fake.base_url,
    )
    fake.force_outcome(CUSTOMER, "busy")
    call_id = _call(provider_for(account))
    call = Call.objects.create(
        account=account, provider_call_id=call_id, call_type="voicebot", to_number=CUSTOMER
    )
    fake.advance(600)
    [(payload, _)] = fake.webhooks_sent  # no receiver set: the fake keeps what it would POST
    body = json.dumps(payload).encode()
    assert inbox_receive(token=account.webhook_token, body=body, headers={}).stored == 1
    assert inbox_receive(token=account.webhook_token, body=body, headers={}).duplicates == 1
    call.refresh_from_db()
    assert call.status == CallStatus.BUSY
    assert call.provider_status == "busy"
