"""The IVR Solutions adapter over real HTTP against its fake: signed webhooks, call logs and
recordings."""

import json
import logging
from datetime import timedelta

import pytest

from telephony.providers.base import CallStatus, InvalidRequest, WebhookRejected
from telephony.providers.ivrsolutions.adapter import sign
from tests.providers.ivrsolutions_support import (
    CUSTOMER,
    clock_range,
    make_provider,
    place_c2c,
    sent,
)
from tests.providers.ivrsolutions_support import catcher_fixture as catcher_fixture
from tests.providers.ivrsolutions_support import fake_fixture as fake_fixture
from tests.providers.ivrsolutions_support import provider_fixture as provider_fixture


# -- webhooks -------------------------------------------------------------------------------
def _events(fake, provider, catcher, secret="hook-secret"):
    provider.webhook_register(url=catcher.url, secret=secret)
    fake.force_outcome(CUSTOMER, "answered")
    call_id = place_c2c(provider)
    fake.advance(600)
    return call_id, list(catcher.received)


def _signed(fake, *secrets):
    # The events span the whole 600 s advance and are checked at its end: a wider tolerance.
    return make_provider(fake, webhook_secrets=secrets, webhook_tolerance=900)


def test_signed_events_verify_and_map_through_the_status_table(fake, catcher):
    provider = _signed(fake, "hook-secret")
    call_id, events = _events(fake, provider, catcher)
    updates = []
    for body, headers in events:
        provider.verify_webhook(body=body, headers=headers, now=fake.clock)
        updates += provider.parse_webhook(body, headers)
    assert {u.provider_call_id for u in updates} == {call_id}
    assert [u.event_type for u in updates] == ["ringing", "answered", "hangup"]
    assert [u.status for u in updates] == [
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
        CallStatus.COMPLETED,
    ]
    hangup = updates[-1]
    assert hangup.provider_status == "answered" and hangup.duration_seconds
    assert hangup.recording_url and hangup.to_number == CUSTOMER
    assert hangup.dedupe_key == json.loads(events[-1][0])["event_id"]


def test_forged_and_rotated_webhooks(fake, catcher):
    provider = _signed(fake, "hook-secret")
    _, events = _events(fake, provider, catcher)
    # The fake signs in varying forms and leaves some events unsigned: take a signed one.
    body, headers = next((b, h) for b, h in events if "x-ivr-signature" in h)
    forged = body.replace(b'"answered"', b'"busy"  ')
    with pytest.raises(WebhookRejected, match="bad signature"):
        provider.verify_webhook(body=forged, headers=headers, now=fake.clock)
    rotated = _signed(fake, "new-secret", "hook-secret")
    upper = {k.upper(): v for k, v in headers.items()}  # header names are case-insensitive
    rotated.verify_webhook(body=body, headers=upper, now=fake.clock)
    replaced = _signed(fake, "new-secret")
    with pytest.raises(WebhookRejected, match="bad signature"):
        replaced.verify_webhook(body=body, headers=headers, now=fake.clock)


def test_the_url_token_authenticates_unless_the_account_requires_a_signature(fake):
    """The doc names no signature scheme: an unsigned event is accepted on the URL token
    (checked by the inbox), unless the admin required a signature for the account."""
    body = b'{"event": "hangup", "logid": 1, "timestamp": 1}'
    make_provider(fake).verify_webhook(body=body, headers={}, now=fake.clock)
    strict = make_provider(fake, webhook_secrets=("s",), webhook_signature_required=True)
    with pytest.raises(WebhookRejected, match="requires one"):
        strict.verify_webhook(body=body, headers={}, now=fake.clock)
    strict.verify_webhook(body=body, headers={"X-IVR-Signature": sign(body, "s")}, now=fake.clock)
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        make_provider(fake).verify_webhook(
            body=body, headers={"X-IVR-Signature": sign(body, "s")}, now=fake.clock
        )


def test_unknown_status_words_map_to_unknown_keep_the_raw_word_and_log(provider, caplog):
    body = json.dumps({"event": "hangup", "logid": 5, "call_status": "transferred"}).encode()
    with caplog.at_level(logging.WARNING):
        (update,) = provider.parse_webhook(body, {})
    assert (update.status, update.provider_status) == (CallStatus.UNKNOWN, "transferred")
    assert "transferred" in caplog.text
    (odd,) = provider.parse_webhook(b'{"event": "whisper", "recordid": 6}', {})
    assert (odd.status, odd.provider_status, odd.provider_call_id) == (
        CallStatus.UNKNOWN,
        "whisper",
        "6",
    )
    assert odd.dedupe_key  # no event_id: the body's hash


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe", b"[1, 2]", b'{"logid": 5}', b'{"event": "hangup"}', b'{"event": "", "logid": 1}'],
)
def test_malformed_webhooks_are_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


# -- logs and recordings ----------------------------------------------------------------------
def test_call_logs_keep_only_rows_inside_the_range(fake, provider):
    fake.force_outcome(CUSTOMER, "busy")
    place_c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**clock_range(fake))
    assert (row.status, row.direction, row.to_number) == (CallStatus.BUSY, "outbound", CUSTOMER)
    later = fake.clock + timedelta(minutes=1)
    assert list(provider.call_logs(since=later, until=later + timedelta(hours=1))) == []
    assert sent(fake, "call_logs")[0].query == {"from_date": "2026-01-04", "to_date": "2026-01-06"}


def test_recordings_are_fetched_as_audio_from_the_providers_host_only(fake, provider):
    fake.force_outcome(CUSTOMER, "answered")
    place_c2c(provider)
    fake.advance(600)
    (row,) = provider.call_logs(**clock_range(fake))
    url = row.recording_url
    recording = provider.fetch_recording(url)
    assert recording.content_type == "audio/mpeg" and recording.content.startswith(b"ID3")
    assert "calls.ivrsolutions.in" in provider.recording_hosts
    before = len(fake.requests)
    with pytest.raises(InvalidRequest, match="not on an IVR Solutions host"):
        provider.fetch_recording("https://evil.example/rec.mp3")
    assert len(fake.requests) == before
