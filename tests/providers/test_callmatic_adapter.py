"""The Callmatic adapter over real HTTP against its fake (tests/fakes/callmatic.py)."""

import json
import logging

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
from telephony.providers.callmatic.adapter import CallmaticProvider
from telephony.providers.callmatic.api import PATHS
from telephony.services.accounts import provider_for
from telephony.services.inbox import inbox_receive
from telephony.services.recordings import recording_fetch
from tests.contract.harness import WebhookCatcher
from tests.fakes import callmatic as fake_module
from tests.fakes.callmatic import SEEDED_CAMPAIGNS, CallmaticFake
from tests.providers.callmatic_support import CAMPAIGN, CUSTOMER, make_account, make_provider
from tests.providers.callmatic_support import fake_fixture as fake_fixture
from tests.providers.callmatic_support import provider_fixture as provider_fixture

# The fake keys forced outcomes by the digits as sent; the adapter sends Indian numbers as
# the doc's 10 national digits.
AS_SENT = "7760524807"


def _call(provider, number=CUSTOMER, **kw) -> str:
    request = OutboundCallRequest(to_number=number, did_number="", reference="7", **kw)
    return provider.voicebot_call(request).provider_call_id


def _numbers(count: int, start: int = 0) -> list[CampaignNumber]:
    return [
        CampaignNumber(f"+91987650{i:04d}", reference=f"e{i}") for i in range(start, start + count)
    ]


def _sent(fake) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests if r.method == "POST"]


def test_registered_with_every_path_the_fake_serves():
    assert registry.provider_class("callmatic") is CallmaticProvider
    assert fake_module.PATHS == PATHS


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = make_provider(fake, api_key="not-the-key")
    with pytest.raises(AuthenticationFailed, match="Callmatic rejected the API key"):
        _call(provider)
    with pytest.raises(AuthenticationFailed, match="Callmatic rejected the API key"):
        provider.test_connection()
    assert not fake.calls


def test_connection_with_a_good_key_names_the_campaign(provider):
    assert provider.test_connection() == (
        f"Callmatic accepted the API key; calls go to campaign {CAMPAIGN}."
    )


def test_voicebot_call_sends_the_doc_shape(fake, provider):
    call_id = _call(provider, number="07760524807", variables={"name": "Shivank"})
    assert _sent(fake) == [
        {"campaignId": CAMPAIGN, "phoneNumber": "7760524807", "variables": {"name": "Shivank"}}
    ]
    assert fake.requests[0].headers["api-key"] == fake.api_key
    assert fake.calls[call_id].phone_number == "7760524807"


def test_campaign_ref_picks_another_campaign(fake, provider):
    other = list(SEEDED_CAMPAIGNS)[1]
    call_id = _call(provider, campaign_ref=other)
    assert fake.calls[call_id].campaign_id == other


def test_missing_campaign_id_is_caught_before_sending(fake):
    provider = make_provider(fake, campaign_id="")
    with pytest.raises(InvalidRequest, match="No Callmatic campaign id"):
        _call(provider)
    assert fake.requests == []


def test_invalid_number_is_caught_before_sending(fake, provider):
    with pytest.raises(InvalidRequest, match="not a valid phone number"):
        _call(provider, number="12345")
    assert fake.requests == []


def test_unknown_campaign_says_so(fake, provider):
    with pytest.raises(InvalidRequest, match="Callmatic does not know campaign nope"):
        _call(provider, campaign_ref="nope")


def test_campaign_create_adopts_an_existing_campaign_without_a_request(fake, provider):
    other = list(SEEDED_CAMPAIGNS)[1]
    assert provider.campaign_create(HostedCampaignSpec(name="x", bot_id=other)) == other
    assert provider.campaign_create(HostedCampaignSpec(name="x")) == CAMPAIGN
    with pytest.raises(InvalidRequest, match="created in the Callmatic portal"):
        make_provider(fake, campaign_id="").campaign_create(HostedCampaignSpec(name="x"))
    assert fake.requests == []


def test_a_batch_over_200_is_chunked_not_refused(fake, provider):
    numbers = _numbers(450)
    result = provider.campaign_add_numbers(CAMPAIGN, numbers)
    assert [len(body["to"]) for body in _sent(fake)] == [200, 200, 50]
    assert result.accepted == 450
    assert result.duplicates == 0
    assert len(result.provider_ids) == 450
    for number in numbers[::50]:
        call = fake.calls[result.provider_ids[number.reference]]
        assert call.phone_number == number.number[3:]


def test_batch_sums_duplicates_and_refuses_bad_numbers_alone(fake, provider):
    first = provider.campaign_add_numbers(CAMPAIGN, _numbers(3))
    assert first.accepted == 3
    again = [*_numbers(2), *_numbers(2, start=10), CampaignNumber("123", reference="bad")]
    again.append(CampaignNumber("+919876500010", reference="twice"))
    result = provider.campaign_add_numbers(CAMPAIGN, again)
    assert result.accepted == 2
    assert result.duplicates == 3  # two already queued, one repeated in this batch
    assert [number for number, _ in result.rejected] == ["123"]
    assert set(result.provider_ids) == {"e10", "e11"}
    assert "123" not in json.dumps(_sent(fake)[-1])


def test_a_failing_later_chunk_keeps_what_was_queued():
    class Flaky(CallmaticFake):
        def _trigger_batch(self, request):
            answer = super()._trigger_batch(request)
            self.inject("500", path_contains="/calls/batch")  # the next chunk fails
            return answer

    flaky = Flaky().start()
    try:
        provider = make_provider(flaky)
        with pytest.raises(AmbiguousOutcome) as caught:
            provider.campaign_add_numbers(CAMPAIGN, _numbers(250))
        assert caught.value.partial_result.accepted == 200
        assert len(caught.value.partial_result.provider_ids) == 200
    finally:
        flaky.stop()


def test_429_on_a_read_waits_as_long_as_retry_after_says(fake, provider):
    call_id = _call(provider)
    slept = []
    provider.http.sleep = slept.append
    fake.inject("429", retry_after=2, path_contains="/calls/")
    assert provider.call_details(call_id).provider_call_id == call_id
    assert slept and slept[0] >= 2


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider):
    fake.inject("429", retry_after=5)
    with pytest.raises(RateLimited) as caught:
        _call(provider)
    assert caught.value.retry_after == 5
    assert len(fake.requests) == 1
    assert not fake.calls


def test_500_on_a_read_is_retried_then_reported(fake, provider):
    fake.inject("500", count=10)
    with pytest.raises(ProviderError, match="HTTP 500") as caught:
        provider.call_details("e08bad66-ee60-458d-958f-a02b1f12d355")
    assert not isinstance(caught.value, AmbiguousOutcome)
    assert len(fake.requests) == provider.http.max_attempts


def test_500_on_placing_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        _call(provider)
    assert len(fake.requests) == 1


def test_timeout_on_placing_is_ambiguous(fake):
    provider = make_provider(fake, read_timeout=0.3)
    fake.inject("timeout")
    with pytest.raises(AmbiguousOutcome, match="did not answer"):
        _call(provider)
    assert len(fake.requests) == 1


def test_garbage_answer_to_a_read_is_a_clear_error(fake, provider):
    fake.inject("garbage", count=10)
    with pytest.raises(ProviderError, match="not JSON"):
        provider.call_details("e08bad66-ee60-458d-958f-a02b1f12d355")


def test_an_unreadable_answer_to_a_placed_call_is_ambiguous(fake, provider):
    fake.inject("truncated")
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted on the request"):
        _call(provider)


def test_unknown_call_says_so(provider):
    with pytest.raises(InvalidRequest, match="Callmatic does not know call abc"):
        provider.call_details("abc")


@pytest.mark.parametrize(
    "body",
    [b"\x00not json", b"[1, 2]", b'{"status": "completed"}', b'{"callId": "x", "status": 3}'],
)
def test_malformed_webhook_is_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


@pytest.fixture(params=range(6))
def any_shape_fake(request):
    """A fake whose answers start at another of its shapes (see tests/fakes/callmatic.py)."""
    server = CallmaticFake(seed=request.param).start()
    yield server
    server.stop()


def test_webhook_transcript_summary_and_recording_round_trip(any_shape_fake):
    fake = any_shape_fake
    provider = make_provider(fake)
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    try:
        fake.force_outcome(AS_SENT, "completed")
        call_id = _call(provider, variables={"name": "Asha"})
        fake.advance(600)
        [(body, headers)] = catcher.received
    finally:
        catcher.stop()
    provider.verify_webhook(body=body, headers=headers, now=fake.clock)  # unsigned: accepted
    [update] = provider.parse_webhook(body, headers)
    call = fake.calls[call_id]
    assert update.provider_call_id == call_id
    assert update.status is CallStatus.COMPLETED
    assert update.to_number == CUSTOMER
    assert update.duration_seconds == round(call.duration)
    assert update.transcript[0] == {"speaker": "bot", "text": call.transcript[0]["text"].strip()}
    assert update.transcript[1]["speaker"] == "customer"
    assert len(update.transcript) == len(call.transcript)
    assert update.summary == call.insights[0]["output"]["summary"]
    assert update.raw["insights"] == call.insights
    assert update.dedupe_key == provider.parse_webhook(body, headers)[0].dedupe_key
    recording = provider.fetch_recording(update.recording_url)
    assert recording.content == call.recording
    assert recording.content_type == "audio/wav"


def test_an_unanswered_call_in_every_shape(any_shape_fake):
    fake = any_shape_fake
    provider = make_provider(fake)
    fake.force_outcome(AS_SENT, "busy")
    call_id = _call(provider)
    fake.advance(600)
    [payload] = [p for p, _ in fake.webhooks_sent]
    details = provider.call_details(call_id)
    [update] = provider.parse_webhook(json.dumps(payload).encode(), {})
    for seen in (update, details):
        assert (seen.provider_call_id, seen.status) == (call_id, CallStatus.BUSY)
        assert seen.duration_seconds == 0 and seen.transcript is None and not seen.summary
        assert seen.to_number == CUSTOMER and seen.occurred_at is not None


def test_details_match_the_webhook(fake, provider):
    fake.force_outcome(AS_SENT, "completed")
    call_id = _call(provider)
    assert provider.call_details(call_id).status is CallStatus.QUEUED
    fake.advance(600)
    details = provider.call_details(call_id)
    assert details.status is CallStatus.COMPLETED
    assert details.summary and details.transcript and details.recording_url


def test_unanswered_call_has_no_recording_url(fake, provider):
    fake.force_outcome(AS_SENT, "no-answer")
    call_id = _call(provider)
    fake.advance(600)
    details = provider.call_details(call_id)
    assert details.status is CallStatus.NO_ANSWER
    assert details.recording_url == ""
    assert details.transcript is None


def test_unknown_status_word_is_kept_raw_and_logged(fake, provider, caplog):
    call_id = _call(provider)
    fake.calls[call_id].status = "transferred"
    with caplog.at_level(logging.WARNING):
        details = provider.call_details(call_id)
    assert details.status is CallStatus.UNKNOWN
    assert details.provider_status == "transferred"
    assert "transferred" in caplog.text


def test_recording_is_never_fetched_from_another_host(fake, provider):
    with pytest.raises(InvalidRequest, match="Not a Callmatic recording URL"):
        provider.fetch_recording("https://evil.example/v1/recordings/abc")
    with pytest.raises(InvalidRequest):
        provider.fetch_recording(fake.base_url + "/calls/abc")
    assert fake.requests == []


def test_what_the_doc_lacks_is_declared_missing_with_reasons(provider):
    for capability in (Capability.CLICK_TO_CALL, Capability.CALL_LOGS, Capability.DIDS):
        assert not provider.supports(capability)
        assert "Callmatic" in provider.missing_reason(capability)
    for control in (provider.campaign_pause, provider.campaign_resume, provider.campaign_stop):
        with pytest.raises(CapabilityMissing, match="Callmatic portal"):
            control(CAMPAIGN)
    with pytest.raises(CapabilityMissing, match="cannot register a webhook"):
        provider.webhook_register(url="https://example.com/hook", secret="s")


def test_every_capability_it_lacks_has_its_own_reason():
    assert set(Capability) - CallmaticProvider.capabilities == set(CallmaticProvider.missing)


@pytest.mark.django_db
def test_completion_webhook_through_the_inbox_fills_the_call_and_its_recording(fake):
    account = make_account(fake)
    fake.force_outcome(AS_SENT, "completed")
    call_id = _call(provider_for(account))
    call = Call.objects.create(
        account=account, provider_call_id=call_id, call_type="voicebot", to_number=CUSTOMER
    )
    fake.advance(600)
    [(payload, _)] = fake.webhooks_sent  # no receiver set: the fake keeps what it would POST
    body = json.dumps(payload).encode()
    result = inbox_receive(token=account.webhook_token, body=body, headers={})
    assert result.stored == 1
    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED
    assert call.summary == payload["insights"][0]["output"]["summary"]
    assert [turn["speaker"] for turn in call.transcript[:2]] == ["bot", "customer"]
    stored = recording_fetch(call_id=call.pk)
    assert stored.file.read() == fake.calls[call_id].recording
    assert stored.content_type == "audio/wav"
