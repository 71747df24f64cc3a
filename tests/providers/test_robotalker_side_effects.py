"""Robotalker's side effects (a call, a campaign, an SMS, an SMS batch) against its fake:
sent once, their ids read liberally, and an answer we cannot use is AmbiguousOutcome.

The fake's "acted_garbage" and "acted_body" faults carry the request out (the phone
rings, the campaign dials, the text goes) and then answer an HTML page, or a success
without the id: the outcome is unknown, so the adapter must say so and send nothing
again.
"""

import json

import pytest

from telephony.providers.base import (
    AmbiguousOutcome,
    CallStatus,
    CampaignNumber,
    HostedCampaignSpec,
    OutboundCallRequest,
)
from telephony.providers.robotalker.adapter import RobotalkerProvider
from tests.contract.harness import config
from tests.fakes.robotalker import RobotalkerFake
from tests.providers.robotalker_support import fake_fixture as fake_fixture

CALLER_ID = "+18005550199"  # the doc's example numbers
CUSTOMER = "+12125550100"
OTHER = "+12125550101"


def _provider(fake):
    return RobotalkerProvider(
        config(
            "robotalker",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key},
            default_region="US",
        )
    )


def _call(provider):
    request = OutboundCallRequest(
        to_number=CUSTOMER, did_number=CALLER_ID, reference="1", text="Hello."
    )
    return provider.tts_call(request).provider_call_id


def _campaign(provider):
    numbers = [CampaignNumber(CUSTOMER, "e1"), CampaignNumber(OTHER, "e2")]
    spec = HostedCampaignSpec(name="Reminders", did_number=CALLER_ID, text="Hi.", numbers=numbers)
    return provider.campaign_create(spec)


def _sms(provider):
    return provider.sms_send(to_number=CUSTOMER, text="Hi.", sender=CALLER_ID)


def _sms_bulk(provider):
    return provider.sms_send_bulk(to_numbers=[CUSTOMER, OTHER], text="Hi.", sender=CALLER_ID)


# (name, action, path, what the fake holds once it acted, a success without the id)
SIDE_EFFECTS = [
    ("call", _call, "/api/v1/calls", lambda f: len(f.calls), {"status": "queued", "to": CUSTOMER}),
    ("campaign", _campaign, "/api/v1/campaigns", lambda f: len(f.campaigns), {"status": "ok"}),
    ("sms", _sms, "/api/v1/sms", lambda f: len(f.sms), {"status": "queued"}),
    ("sms batch", _sms_bulk, "/api/v1/sms", lambda f: len(f.sms), {"batch_id": "b", "count": 2}),
]
IDS = [name for name, *_ in SIDE_EFFECTS]


@pytest.mark.parametrize(("name", "action", "path", "held", "idless"), SIDE_EFFECTS, ids=IDS)
def test_an_html_answer_after_acting_is_ambiguous_and_sent_once(
    fake, name, action, path, held, idless
):
    fake.inject("acted_garbage", path_contains=path)
    with pytest.raises(AmbiguousOutcome, match="not JSON.*may have acted"):
        action(_provider(fake))
    assert len(fake.requests_to(path)) == 1
    assert held(fake) >= 1  # it really happened at the provider


@pytest.mark.parametrize(("name", "action", "path", "held", "idless"), SIDE_EFFECTS, ids=IDS)
def test_a_success_without_its_id_is_ambiguous_and_sent_once(
    fake, name, action, path, held, idless
):
    fake.inject("acted_body", path_contains=path, body=idless, status=201)
    with pytest.raises(AmbiguousOutcome, match="without .*may have acted"):
        action(_provider(fake))
    assert len(fake.requests_to(path)) == 1
    assert held(fake) >= 1


def test_a_batch_answered_with_fewer_messages_than_numbers_is_ambiguous(fake):
    fake.inject("acted_body", path_contains="/api/v1/sms", body={"messages": [{"id": 1}]})
    with pytest.raises(AmbiguousOutcome, match="one message per number"):
        _sms_bulk(_provider(fake))
    assert len(fake.requests_to("/api/v1/sms")) == 1


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"campaign_id": "cmp_1"}, "cmp_1"),
        ({"id": "cmp_2", "extra": {"nested": True}}, "cmp_2"),
        ({"id": 123}, "123"),
        ({"campaign_id": 77.0}, "77"),
        ({"data": {"id": 9}}, "9"),
    ],
)
def test_a_campaign_id_is_read_as_id_or_campaign_id_number_or_text(fake, answer, expected):
    fake.canned("/api/v1/campaigns", json.dumps(answer).encode(), status=201)
    assert _campaign(_provider(fake)) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [({"call_id": "cal_1"}, "cal_1"), ({"id": 42, "status": "queued"}, "42")],
)
def test_a_call_id_is_read_as_call_id_or_id(fake, answer, expected):
    fake.canned("/api/v1/calls", json.dumps(answer).encode(), status=201)
    assert _call(_provider(fake)) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [({"sms_id": "sms_1"}, "sms_1"), ({"id": 5}, "5"), ({"message_id": "m_1"}, "m_1")],
)
def test_an_sms_id_is_read_as_sms_id_or_id(fake, answer, expected):
    fake.canned("/api/v1/sms", json.dumps(answer).encode(), status=201)
    assert _sms(_provider(fake)) == expected


def test_every_campaign_answer_shape_of_the_fake_is_followed_to_its_results():
    # Seed 1 answers `id` first, then alternates with `campaign_id`, numbers and text:
    # every one of them must lead to the campaign's own results.
    fake = RobotalkerFake(seed=1).start()
    try:
        provider = _provider(fake)
        created = [_campaign(provider) for _ in range(4)]
        assert set(created) == set(fake.campaigns)
        assert any(c.isdigit() for c in created) and any(not c.isdigit() for c in created)
        fake.advance(600)
        for campaign_id in created:
            results = list(provider.campaign_results(campaign_id))
            assert {u.to_number for u in results} == {CUSTOMER, OTHER}
            assert set(fake.campaigns[campaign_id].call_ids) == {
                u.provider_call_id for u in results
            }
            assert provider.campaign_status(campaign_id).status == "completed"
    finally:
        fake.stop()


def test_a_no_answer_event_saying_answered_is_a_no_answer(fake):
    # The exact payload a reviewer reproduced: the doc's call.completed example under the
    # call.no_answer name. The event names the outcome; the word is kept raw.
    body = (
        b'{"event": "call.no_answer", "call_id": "cal_9x7k2m4p", "to": "+12125550100", '
        b'"status": "answered", "duration_seconds": 28, "dtmf_response": "1", '
        b'"amd_result": "human", "timestamp": "2025-04-15T10:30:45Z"}'
    )
    [update] = _provider(fake).parse_webhook(body, {})
    assert (update.status, update.provider_status) == (CallStatus.NO_ANSWER, "answered")
    assert (update.provider_call_id, update.event_type) == ("cal_9x7k2m4p", "call.no_answer")


@pytest.mark.parametrize(
    ("event", "word", "expected"),
    [
        ("call.voicemail", "completed", CallStatus.VOICEMAIL),
        ("call.failed", "answered", CallStatus.FAILED),
        ("call.completed", "no_answer", CallStatus.COMPLETED),
        ("call.no_answer", "", CallStatus.NO_ANSWER),
    ],
)
def test_a_documented_event_name_decides_over_its_status_word(fake, event, word, expected):
    payload = {"event": event, "call_id": 17, "status": word}
    [update] = _provider(fake).parse_webhook(json.dumps(payload).encode(), {})
    assert (update.status, update.provider_status, update.provider_call_id) == (
        expected,
        word,
        "17",
    )
