"""Callmatic's completion webhook beyond the doc's one example (that one is a fixture, see
test_callmatic_doc_examples.py): ids, durations and optional fields in the shapes the doc
does not rule out, read without failing on what cannot be read."""

import json

import pytest

from telephony.providers.base import CallStatus, WebhookRejected
from telephony.providers.callmatic.adapter import CallmaticProvider
from tests.contract.harness import config


@pytest.fixture
def provider():
    return CallmaticProvider(config("callmatic", credentials={"api_key": "k"}))


def _parse(provider, **payload):
    [update] = provider.parse_webhook(json.dumps(payload).encode(), {})
    return update


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ({"callId": "c1"}, "c1"),
        ({"call_id": "c1"}, "c1"),
        ({"id": "c1"}, "c1"),
        ({"callId": 42}, "42"),
        ({"callId": 42.0}, "42"),
    ],
)
def test_the_call_id_under_any_common_key_as_text(provider, ids, expected):
    assert _parse(provider, status="completed", **ids).provider_call_id == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(19.18, 19), (20, 20), ("19.18", 19), ("0", 0), (None, None)]
)
def test_durations_as_numbers_or_text(provider, value, expected):
    assert _parse(provider, callId="c1", status="busy", duration=value).duration_seconds == expected


def test_a_call_wrapped_in_data_like_the_details_answer(provider):
    update = _parse(provider, success=True, data={"callId": "c1", "status": "no-answer"})
    assert (update.provider_call_id, update.status) == ("c1", CallStatus.NO_ANSWER)


def test_an_unanswered_call_without_its_optional_fields(provider):
    update = _parse(provider, callId="c1", status="no-answer", language="hi-IN")
    assert update.status is CallStatus.NO_ANSWER
    assert update.transcript is None and update.summary == "" and update.recording_url == ""
    assert update.occurred_at is None and update.duration_seconds is None
    assert update.raw["language"] == "hi-IN"


def test_a_number_sent_as_a_json_number_comes_out_in_e164(provider):
    update = _parse(provider, callId="c1", status="completed", phoneNumber=7347087599)
    assert update.to_number == "+917347087599"


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "completed"},
        {"callId": "", "status": "completed"},
        {"callId": None, "status": "completed"},
        {"callId": "c1"},
        {"callId": "c1", "status": " "},
        {"callId": "c1", "status": 3},
    ],
)
def test_without_a_call_id_or_status_it_is_rejected(provider, payload):
    with pytest.raises(WebhookRejected, match="missing callId or status"):
        provider.parse_webhook(json.dumps(payload).encode(), {})
