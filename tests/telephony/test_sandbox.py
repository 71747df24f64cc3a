import io
import json
import wave
from collections import Counter
from datetime import UTC, datetime

import pytest

from telephony.providers.base import (
    AccountConfig,
    CallStatus,
    ClickToCallRequest,
    InvalidRequest,
    WebhookRejected,
)
from telephony.providers.sandbox.adapter import SandboxProvider, sign, timeline


def _provider(seed: int = 7, secrets=("s3cret",)) -> SandboxProvider:
    return SandboxProvider(
        AccountConfig(
            account_id=1,
            kind="sandbox",
            name="sb",
            credentials={},
            seed=seed,
            webhook_secrets=secrets,
        )
    )


def _request(ref: str, number: str = "+919876512345") -> ClickToCallRequest:
    return ClickToCallRequest(
        agent_extension="2101",
        agent_number="",
        customer_number=number,
        did_number="+911143104567",
        reference=ref,
    )


def test_same_seed_and_reference_give_the_same_call_life():
    assert timeline(seed=3, reference="42", kind="tts") == timeline(
        seed=3, reference="42", kind="tts"
    )


def test_different_references_give_different_lives():
    lives = {json.dumps(timeline(seed=3, reference=str(i), kind="tts")) for i in range(20)}
    assert len(lives) == 20


def test_outcome_mix_is_realistic_over_many_calls():
    finals = Counter(timeline(seed=11, reference=str(i), kind="tts")[-1][1] for i in range(2000))
    assert set(finals) == {"completed", "no-answer", "busy", "voicemail", "failed"}
    assert 0.45 < finals["completed"] / 2000 < 0.65
    assert 0.12 < finals["no-answer"] / 2000 < 0.28


def test_event_times_increase_and_answered_calls_have_duration_and_recording():
    for i in range(200):
        life = timeline(seed=5, reference=str(i), kind="tts")
        times = [t for t, _, _ in life]
        assert times == sorted(times)
        assert life[0][1] == "ringing"
        if any(word == "answered" for _, word, _ in life):
            assert life[-1][2]["duration"] > 0 and life[-1][2]["recording"]


def test_magic_number_suffix_fixes_the_outcome():
    for suffix, word in (("0001", "completed"), ("0002", "busy"), ("0004", "failed")):
        for ref in range(10):
            life = timeline(seed=1, reference=str(ref), kind="tts", to_number="+91987650" + suffix)
            assert life[-1][1] == word


def test_placing_returns_signed_deliverable_events_that_parse_back():
    provider = _provider()
    placed = provider.click_to_call(_request("9", "+919876500001"))
    assert placed.status == CallStatus.QUEUED
    statuses = []
    for event in placed.simulated_events:
        now = datetime.now(UTC)
        ts = int(now.timestamp())
        headers = {
            "x-sandbox-signature": sign(event.body, "s3cret", ts),
            "x-sandbox-timestamp": str(ts),
        }
        provider.verify_webhook(body=event.body, headers=headers, now=now)
        (update,) = provider.parse_webhook(event.body, headers)
        assert update.provider_call_id == placed.provider_call_id
        statuses.append(update.status)
    assert statuses == [CallStatus.RINGING, CallStatus.IN_PROGRESS, CallStatus.COMPLETED]


def test_webhook_with_wrong_secret_or_stale_timestamp_is_rejected():
    provider = _provider(secrets=("new", "old"))
    body = b'{"call_id": "x", "event": "ringing"}'
    now = datetime.now(UTC)
    ts = int(now.timestamp())
    # a rotated-out but still listed secret is accepted
    provider.verify_webhook(
        body=body,
        headers={"x-sandbox-signature": sign(body, "old", ts), "x-sandbox-timestamp": str(ts)},
        now=now,
    )
    with pytest.raises(WebhookRejected, match="bad signature"):
        provider.verify_webhook(
            body=body,
            headers={
                "x-sandbox-signature": sign(body, "forged", ts),
                "x-sandbox-timestamp": str(ts),
            },
            now=now,
        )
    with pytest.raises(WebhookRejected, match="stale"):
        old = ts - 3600
        provider.verify_webhook(
            body=body,
            headers={
                "x-sandbox-signature": sign(body, "new", old),
                "x-sandbox-timestamp": str(old),
            },
            now=now,
        )


def test_invalid_number_is_refused_before_anything_is_placed():
    with pytest.raises(InvalidRequest):
        _provider().click_to_call(_request("1", "12345"))


def test_recording_is_a_valid_wav():
    rec = _provider().fetch_recording("https://sandbox.invalid/recordings/sbx-1-2-3-4.wav")
    assert rec.content_type == "audio/wav"
    with wave.open(io.BytesIO(rec.content)) as wav:
        assert wav.getnframes() > 8000 and wav.getframerate() == 8000


def test_call_details_derive_the_state_from_the_id():
    provider = _provider()
    placed = provider.click_to_call(_request("77", "+919876500002"))
    assert provider.call_details(placed.provider_call_id).status == CallStatus.QUEUED
    with pytest.raises(InvalidRequest):
        provider.call_details("garbage")
