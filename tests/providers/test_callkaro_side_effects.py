"""Every CallKaro request with a side effect is sent once, and an answer we cannot read or
that lacks the id is AmbiguousOutcome (tests/fakes/base.py: "acted_*" faults run the route,
so the call really is placed or the batch really exists at the fake)."""

import pytest

from telephony.providers.base import (
    AmbiguousOutcome,
    CampaignNumber,
    HostedCampaignSpec,
    InvalidRequest,
    OutboundCallRequest,
)
from telephony.providers.callkaro.api import PATHS
from tests.providers.callkaro_support import CUSTOMER, make_provider
from tests.providers.callkaro_support import fake_fixture as fake_fixture

OUTBOUND = PATHS["outbound_call"][1]
CAMPAIGN = PATHS["create_campaign"][1]
# Success answers without the id each request needs (the doc's own words otherwise).
NO_CALL_ID = {"status": "success", "message": "Call initiated successfully"}
NO_BATCH_ID = {"status": "success", "message": "Campaign created successfully"}


@pytest.fixture
def provider(fake):
    return make_provider(fake, read_timeout=0.5)


def _voicebot_call(provider):
    request = OutboundCallRequest(to_number=CUSTOMER, did_number="", reference="42")
    return provider.voicebot_call(request)


def _campaign_create(provider):
    return provider.campaign_create(HostedCampaignSpec(name="Inspection"))


def _campaign_numbers(provider, batch_id):
    numbers = [CampaignNumber(CUSTOMER, "e1"), CampaignNumber("+919876543211", "e2")]
    return provider.campaign_add_numbers(batch_id, numbers)


@pytest.mark.parametrize(
    ("kind", "body"), [("acted_garbage", None), ("acted_body", NO_CALL_ID), ("500", None)]
)
def test_placing_a_call_is_sent_once_and_an_unreadable_answer_is_ambiguous(
    fake, provider, kind, body
):
    fake.inject(kind, body=body)
    with pytest.raises(AmbiguousOutcome, match="CallKaro"):
        _voicebot_call(provider)
    assert len(fake.requests_to(OUTBOUND)) == 1
    assert len(fake.calls) == (0 if kind == "500" else 1)  # acted_*: the call is placed


@pytest.mark.parametrize(
    ("kind", "body"), [("acted_garbage", None), ("acted_body", NO_BATCH_ID), ("500", None)]
)
def test_creating_a_campaign_is_sent_once_and_an_unreadable_answer_is_ambiguous(
    fake, provider, kind, body
):
    fake.inject(kind, body=body)
    with pytest.raises(AmbiguousOutcome, match="creating the campaign"):
        _campaign_create(provider)
    assert len(fake.requests_to(CAMPAIGN)) == 1
    assert len(fake.batches) == (0 if kind == "500" else 1)


def test_a_timeout_creating_a_campaign_is_ambiguous_and_not_retried(fake, provider):
    fake.timeout_hold = 1.0
    fake.inject("timeout", path_contains=CAMPAIGN)
    with pytest.raises(AmbiguousOutcome, match="did not answer"):
        _campaign_create(provider)
    assert len(fake.requests_to(CAMPAIGN)) == 1


@pytest.mark.parametrize(("kind", "body"), [("acted_garbage", None), ("acted_body", NO_CALL_ID)])
def test_a_campaign_number_is_sent_once_and_the_push_stops_in_doubt(fake, provider, kind, body):
    batch_id = _campaign_create(provider)
    fake.inject(kind, body=body, path_contains=OUTBOUND)
    with pytest.raises(AmbiguousOutcome) as caught:
        _campaign_numbers(provider, batch_id)
    # The first number was placed at CallKaro, its answer unreadable: nothing after it is
    # sent, nothing is re-sent, and the error says nothing was confirmed.
    assert len(fake.requests_to(OUTBOUND)) == 1
    assert len(fake.batches[batch_id].call_ids) == 1
    assert caught.value.partial_result.accepted == 0
    assert caught.value.partial_result.provider_ids == {}


def test_a_2xx_in_the_docs_error_shape_is_a_refusal_not_a_doubt(fake, provider):
    fake.canned(OUTBOUND, {"status": "error", "message": "Agent is paused"})
    with pytest.raises(InvalidRequest, match="CallKaro refused the request: Agent is paused"):
        _voicebot_call(provider)
    assert len(fake.requests_to(OUTBOUND)) == 1


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": "success", "call_id": 12345}, "12345"),
        ({"status": "success", "call_id": 12345.0}, "12345"),
        ({"status": "success", "id": "a1b2"}, "a1b2"),
        ({"data": {"call_id": "a1b2"}}, "a1b2"),
        ({"call_id": " a1b2 ", "queued_at": "2026-01-05T10:00:00Z", "cost": None}, "a1b2"),
    ],
)
def test_call_ids_are_read_liberally(fake, provider, answer, expected):
    fake.canned(OUTBOUND, answer)
    assert _voicebot_call(provider).provider_call_id == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"batch_id": 68433}, "68433"),
        ({"status": "success", "id": "b-1"}, "b-1"),
        ({"campaign_id": "c-1", "name": "Inspection"}, "c-1"),
        ({"data": {"batch_id": "b-2"}}, "b-2"),
    ],
)
def test_batch_ids_are_read_liberally(fake, provider, answer, expected):
    fake.canned(CAMPAIGN, answer)
    assert _campaign_create(provider) == expected
