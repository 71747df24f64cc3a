"""CallKaro's call-ended webhook is not in its doc: the parser takes the shapes a sender
might use and never fails on a field it cannot read (callkaro_payloads.webhook_update)."""

import json
from datetime import UTC, datetime

import pytest

from telephony.providers.base import CallStatus, WebhookRejected
from telephony.providers.callkaro.adapter import REFERENCE_KEY, CallKaroProvider
from tests.contract.harness import config


@pytest.fixture
def provider():
    return CallKaroProvider(config("callkaro", credentials={"api_key": "k", "agent_id": "a"}))


def _parse(provider, **payload):
    [update] = provider.parse_webhook(json.dumps(payload).encode(), {})
    return update


@pytest.mark.parametrize(
    "ids",
    [
        {"call_id": "c1"},
        {"id": "c1"},
        {"callId": "c1"},
        {"call_id": " c1 "},
    ],
)
def test_the_call_id_under_any_common_key(provider, ids):
    assert _parse(provider, status="completed", **ids).provider_call_id == "c1"


@pytest.mark.parametrize(("value", "expected"), [(677, "677"), (677.0, "677"), ("677", "677")])
def test_a_numeric_call_id_is_text(provider, value, expected):
    assert _parse(provider, call_id=value, status="busy").provider_call_id == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(53, 53), (53.0, 53), (19.18, 19), ("53", 53), ("19.6", 20), (" 7 ", 7)],
)
def test_durations_as_numbers_or_text(provider, value, expected):
    assert _parse(provider, call_id="c1", status="completed", duration=value).duration_seconds == (
        expected
    )


@pytest.mark.parametrize("value", ["", "abc", "inf", "-5", None, True, [3], {"s": 3}])
def test_an_unreadable_duration_is_unknown_not_an_error(provider, value):
    update = _parse(provider, call_id="c1", status="completed", duration=value)
    assert update.duration_seconds is None and update.status is CallStatus.COMPLETED


def test_the_call_wrapped_in_data_is_read(provider):
    update = _parse(
        provider,
        event="call.ended",
        data={"call_id": 9, "status": "no_answer", "metadata": {REFERENCE_KEY: "e7"}},
    )
    assert (update.provider_call_id, update.status, update.reference) == (
        "9",
        CallStatus.NO_ANSWER,
        "e7",
    )


def test_missing_optional_fields_and_extra_fields(provider):
    update = _parse(provider, id="c1", status="completed", hangup_cause="NORMAL", cost=None)
    assert update.occurred_at is None and update.duration_seconds is None
    assert update.to_number == "" and update.reference == ""
    assert update.raw["hangup_cause"] == "NORMAL"


@pytest.mark.parametrize(
    "ended",
    ["2026-01-05T10:01:02Z", "2026-01-05T15:31:02+05:30", 1767607262, 1767607262.0],
)
def test_ended_at_as_iso_text_or_epoch_seconds(provider, ended):
    update = _parse(provider, call_id="c1", status="completed", ended_at=ended)
    assert update.occurred_at == datetime(2026, 1, 5, 10, 1, 2, tzinfo=UTC)


def test_numbers_come_out_in_e164_and_metadata_may_be_json_text(provider):
    metadata = json.dumps({REFERENCE_KEY: "42", "name": "Asha"})
    update = _parse(
        provider, call_id="c1", status="completed", to_number="09876543210", metadata=metadata
    )
    assert update.to_number == "+919876543210" and update.reference == "42"
    odd = _parse(provider, call_id="c1", status="completed", to_number="not a number")
    assert odd.to_number == "not a number"  # kept for display, never dialed


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "completed"},
        {"call_id": "", "status": "completed"},
        {"call_id": True, "status": "completed"},
        {"call_id": {"x": 1}, "status": "completed"},
        {"call_id": "c1"},
        {"call_id": "c1", "status": 3},
        {"call_id": "c1", "status": "  "},
        {"data": {"status": "completed"}},
    ],
)
def test_without_a_call_id_or_status_it_is_rejected(provider, payload):
    with pytest.raises(WebhookRejected, match="missing call_id or status"):
        provider.parse_webhook(json.dumps(payload).encode(), {})


def test_a_redelivery_has_the_same_dedupe_key_and_another_ending_does_not(provider):
    first = _parse(provider, call_id="c1", status="no_answer", attempts=1)
    again = _parse(provider, id="c1", status="no_answer", attempts=1, extra="x")
    later = _parse(provider, call_id="c1", status="completed", attempts=2)
    assert first.dedupe_key == again.dedupe_key != later.dedupe_key
