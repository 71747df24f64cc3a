"""The CallKaro adapter over real HTTP against its fake: hosted campaigns (batches), the
call-ended webhook, what CallKaro lacks, and events through the inbox."""

import json
import logging

import pytest

from telephony.models import Call
from telephony.providers.base import (
    CallStatus,
    CampaignNumber,
    Capability,
    CapabilityMissing,
    HostedCampaignSpec,
    InvalidRequest,
    RateLimited,
    WebhookRejected,
)
from telephony.providers.callkaro.adapter import REFERENCE_KEY, CallKaroProvider
from telephony.services.accounts import provider_for
from telephony.services.inbox import inbox_receive
from tests.contract.harness import WebhookCatcher
from tests.fakes.base import BadRequest
from tests.fakes.callkaro import SEEDED_AGENTS, CallKaroFake
from tests.providers.callkaro_support import (
    AGENT,
    CUSTOMER,
    make_account,
    make_provider,
    place_call,
    sent,
)
from tests.providers.callkaro_support import fake_fixture as fake_fixture
from tests.providers.callkaro_support import provider_fixture as provider_fixture


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
    calls = sent(fake)[1:]
    assert [c["batch_id"] for c in calls] == [batch_id, batch_id]
    # The doc's field table requires agent_id on every call, a campaign's too.
    assert [c["agent_id"] for c in calls] == [AGENT, AGENT]
    assert calls[0]["metadata"] == {"name": "Asha", REFERENCE_KEY: "e1"}
    assert calls[1]["metadata"] == {"city": "Pune", REFERENCE_KEY: "e3"}


def test_a_campaign_is_created_with_the_agent_its_numbers_carry(fake):
    with pytest.raises(InvalidRequest, match="set the account's agent_id"):
        make_provider(fake, agent_id="").campaign_create(HostedCampaignSpec(name="Inspection"))
    other = list(SEEDED_AGENTS)[0]
    with pytest.raises(InvalidRequest, match=f"voicebot is CallKaro agent {other}"):
        make_provider(fake).campaign_create(HostedCampaignSpec(name="Inspection", bot_id=other))
    with pytest.raises(InvalidRequest, match="set the account's agent_id"):
        make_provider(fake, agent_id="").campaign_add_numbers(
            "b1", [CampaignNumber(CUSTOMER, "e1")]
        )
    assert fake.requests == []
    batch_id = make_provider(fake).campaign_create(
        HostedCampaignSpec(name="Inspection", bot_id=AGENT)
    )
    assert sent(fake) == [{"name": "Inspection", "agent_id": AGENT}]
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
        provider = make_provider(flaky)
        batch_id = provider.campaign_create(HostedCampaignSpec(name="Inspection"))
        numbers = [CampaignNumber(CUSTOMER, "e1"), CampaignNumber("+919876543211", "e2")]
        with pytest.raises(RateLimited) as caught:
            provider.campaign_add_numbers(batch_id, numbers)
        assert list(caught.value.partial_result.provider_ids) == ["e1"]
        assert len(flaky.calls) == 1
    finally:
        flaky.stop()


@pytest.mark.parametrize(
    "body", [b"\x00not json", b'"call"', b'{"status": "completed"}', b'{"call_id": "x"}']
)
def test_malformed_webhook_is_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


@pytest.mark.parametrize("seed", range(6))  # the fake's webhook shapes (its module doc)
def test_call_ended_webhook_round_trip(seed):
    fake = CallKaroFake(seed=seed).start()
    provider = make_provider(fake)
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    try:
        fake.force_outcome(CUSTOMER, "completed")
        call_id = place_call(provider, variables={"name": "Asha"})
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
        place_call(provider, window_start="08:00", window_end="09:00")
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
        provider = make_provider(picky)
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
    account = make_account(fake)
    fake.force_outcome(CUSTOMER, "busy")
    call_id = place_call(provider_for(account))
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
