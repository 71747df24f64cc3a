"""Both Callmatic triggers dial: each is sent once, and an answer we cannot read (or a single
call's answer without its id) is AmbiguousOutcome ("acted_*" faults run the route, so the
calls really are queued at the fake). Also: the base URL without its `/v1`."""

import pytest
import requests

from telephony.providers.base import (
    AmbiguousOutcome,
    CampaignNumber,
    InvalidRequest,
    OutboundCallRequest,
)
from telephony.providers.callmatic.adapter import CallmaticProvider
from telephony.providers.callmatic.api import BASE_URL, PATHS
from telephony.providers.callmatic.payloads import api_base
from tests.contract.harness import config
from tests.providers.callmatic_support import CAMPAIGN, CUSTOMER, make_provider
from tests.providers.callmatic_support import fake_fixture as fake_fixture

SINGLE = "/v1" + PATHS["trigger_call"][1]
BATCH = "/v1" + PATHS["trigger_batch"][1]


def _call(provider):
    request = OutboundCallRequest(to_number=CUSTOMER, did_number="", reference="7")
    return provider.voicebot_call(request)


def _numbers(count):
    return [CampaignNumber(f"+91987650{i:04d}", reference=f"e{i}") for i in range(count)]


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("acted_garbage", None),
        ("acted_body", {"success": True}),
        ("acted_body", {"success": True, "data": {"phoneNumber": "7760524807"}}),
        ("acted_body", []),
        ("500", None),
    ],
)
def test_a_single_call_is_sent_once_and_an_unreadable_answer_is_ambiguous(fake, kind, body):
    fake.inject(kind, body=body)
    with pytest.raises(AmbiguousOutcome, match="Callmatic .*placing the call"):
        _call(make_provider(fake))
    assert len(fake.requests_to(SINGLE)) == 1
    assert len(fake.calls) == (0 if kind == "500" else 1)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("acted_garbage", None),
        ("acted_body", {"success": True}),
        ("acted_body", {"success": True, "data": {"status": "ACTIVE"}}),
        ("500", None),
    ],
)
def test_a_batch_is_sent_once_and_an_unreadable_answer_is_ambiguous(fake, kind, body):
    fake.inject(kind, body=body, path_contains=BATCH)
    with pytest.raises(AmbiguousOutcome, match="queuing the batch of calls") as caught:
        make_provider(fake).campaign_add_numbers(CAMPAIGN, _numbers(250))
    # The first chunk may be queued at Callmatic: the second is not sent, nothing re-sent.
    assert len(fake.requests_to(BATCH)) == 1
    assert len(fake.calls) == (0 if kind == "500" else 200)
    assert caught.value.partial_result.accepted == 0


def test_a_2xx_saying_success_false_is_a_refusal_not_a_doubt(fake):
    fake.canned(SINGLE, {"success": False, "error": "Campaign is paused"})
    with pytest.raises(InvalidRequest, match="Callmatic refused the request: Campaign is paused"):
        _call(make_provider(fake))


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"success": True, "data": {"callId": 4711}}, "4711"),
        ({"success": True, "data": {"call_id": "c-1"}}, "c-1"),
        ({"success": True, "data": {"id": "c-2", "createdAt": "2026-01-05T10:00:00Z"}}, "c-2"),
        ({"success": True, "callId": "c-3"}, "c-3"),
    ],
)
def test_call_ids_are_read_liberally(fake, answer, expected):
    fake.canned(SINGLE, answer)
    assert _call(make_provider(fake)).provider_call_id == expected


def test_a_batch_answer_is_read_liberally(fake):
    fake.canned(
        BATCH,
        {
            "success": True,
            "data": {
                "calls": [
                    {"call_id": 11, "phoneNumber": 9876500000},
                    {"id": "c-12", "phoneNumber": "+919876500001", "status": "queued"},
                ],
                "duplicates": "1",
                "enqued": "2",
            },
        },
    )
    result = make_provider(fake).campaign_add_numbers(CAMPAIGN, _numbers(3))
    assert (result.accepted, result.duplicates) == (2, 1)
    assert result.provider_ids == {"e0": "11", "e1": "c-12"}


def test_a_batch_answer_without_counts_counts_its_calls(fake):
    calls = [{"callId": "c-1", "phoneNumber": "9876500000"}]
    fake.canned(BATCH, {"success": True, "data": {"calls": calls}})
    result = make_provider(fake).campaign_add_numbers(CAMPAIGN, _numbers(1))
    assert (result.accepted, result.provider_ids) == (1, {"e0": "c-1"})


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
def test_a_base_url_with_or_without_v1_reaches_the_documented_paths(fake, suffix):
    provider = make_provider(fake, base_url=fake.url + suffix)
    call_id = _call(provider).provider_call_id
    details = provider.call_details(call_id)
    provider.campaign_add_numbers(CAMPAIGN, _numbers(1))
    assert [r.path for r in fake.requests] == [SINGLE, f"/v1/calls/{call_id}", BATCH]
    assert details.provider_call_id == call_id
    assert provider.http.base_url == fake.url + "/v1"


def test_without_the_prefix_the_fake_would_not_answer(fake):
    # What the adapter sent before it normalised the base URL: the real paths live under /v1.
    headers = {"api-key": fake.api_key}
    answer = requests.post(fake.url + "/calls", json={}, headers=headers, timeout=5)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://api.callmatic.ai", BASE_URL),
        ("https://api.callmatic.ai/", BASE_URL),
        ("https://api.callmatic.ai/v1", BASE_URL),
        ("https://api.callmatic.ai/v1/", BASE_URL),
        (" https://api.callmatic.ai/V1 ", "https://api.callmatic.ai/V1"),
        ("https://api.callmatic.ai/v2", "https://api.callmatic.ai/v2"),
        ("https://proxy.example/callmatic/", "https://proxy.example/callmatic/v1"),
    ],
)
def test_api_base_appends_the_version_once(typed, expected):
    assert api_base(typed) == expected


def test_no_base_url_is_the_docs():
    provider = CallmaticProvider(config("callmatic", credentials={"api_key": "k"}))
    assert provider.http.base_url == BASE_URL == "https://api.callmatic.ai/v1"
