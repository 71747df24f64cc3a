"""Hypothesis-generated webhook bodies for every provider parser, alone and through the
inbox view: only `WebhookRejected` may come out, never a 500, and nothing half-written
(a rejected body stores nothing; an accepted one stores its events and applies them)."""

import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from telephony.models import Call, WebhookEvent
from telephony.providers.base import CallUpdate, WebhookRejected
from telephony.providers.ivrsolutions import adapter as ivrsolutions
from telephony.providers.outboundcalls import adapter as outboundcalls
from telephony.providers.registry import PROVIDERS
from telephony.providers.sandbox import adapter as sandbox
from telephony.providers.types import AccountConfig
from telephony.services.callstate import update_to_json
from tests import factories

SECRET = "fuzz-webhook-secret"
KEYS = [
    "event", "event_id", "id", "call_id", "callId", "logid", "recordid", "status", "call_status",
    "data", "metadata", "to", "to_number", "phone_number", "phoneNumber", "from", "customer_no",
    "client_no", "did_no", "duration", "call_duration", "duration_seconds", "recording_url",
    "transcript", "summary", "insights", "timestamp", "created_at", "ended_at", "endTime",
    "startTime", "answered_at", "event_time", "at", "dtmf", "dtmf_input", "amd", "amd_result",
    "direction", "attempts", "balance", "outcome", "call_type",
]  # fmt: skip
WORDS = [
    "completed", "answered", "ringing", "no_answer", "busy", "failed", "voicemail", "queued",
    "call.completed", "call.started", "call.ended", "call.no_answer", "contact.optout",
    "credits.low", "ANSWER", "NOANSWER", "c1", "c2", "+919876500001", "9876500001",
    "2026-01-01T10:00:00Z", "2026-13-45T99:99", "https://sandbox.invalid/recordings/c1.wav",
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(WORDS)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.dictionaries(st.sampled_from(KEYS), values, max_size=10)
bodies = (
    payloads.map(lambda p: json.dumps(p).encode())
    | values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=120)
)
KINDS = sorted(PROVIDERS)
# Bodies hypothesis found crashing a parser or an apply once; kept as fixed examples.
FOUND = [
    ("ivrsolutions", b'{"timestamp": Infinity, "event": "x", "logid": "c1"}'),
    ("sandbox", b'{"call_id": "c1", "event": "completed", "at": 5}'),
    ("sandbox", b'{"call_id": "c1", "event": "completed", "duration": "abc"}'),
    ("sandbox", b'{"call_id": "c1", "event": "completed", "duration": -3, "transcript": 7}'),
    ("callkaro", b'{"call_id": "c1", "status": "completed", "duration": Infinity}'),
    ("callmatic", b'{"callId": "c1", "status": "completed", "duration": 1e30}'),
    ("sandbox", json.dumps({"call_id": "c1", "event": "completed", "dtmf": "9" * 300}).encode()),
]


def _found(test):
    for kind, body in FOUND:
        test = example(kind=kind, body=body, signed=True)(test)
    return test


def _headers(kind: str, body: bytes, *, signed: bool) -> dict[str, str]:
    """Valid signature headers when `signed`, so fuzzing reaches the parser behind them."""
    if not signed:
        return {}
    now = int(time.time())
    if kind == "sandbox":
        return {sandbox.SIGNATURE_HEADER: sandbox.sign(body, SECRET, now),
                sandbox.TIMESTAMP_HEADER: str(now)}  # fmt: skip
    if kind == "ivrsolutions":
        try:
            stamp = int(json.loads(body)["timestamp"])
        except (ValueError, KeyError, TypeError, OverflowError):
            stamp = now
        return {ivrsolutions.SIGNATURE_HEADER: ivrsolutions.sign(body, SECRET),
                ivrsolutions.TIMESTAMP_HEADER: str(stamp)}  # fmt: skip
    if kind == "outboundcalls":
        import hashlib
        import hmac

        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        return {outboundcalls.SIGNATURE_HEADER: digest}
    return {}


def _provider(kind: str):
    config = AccountConfig(
        account_id=1, kind=kind, name=kind, credentials={"api_key": "k"},
        webhook_secrets=[SECRET],
    )  # fmt: skip
    return PROVIDERS[kind](config)


@_found
@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KINDS), body=bodies, signed=st.booleans())
def test_parsers_raise_only_webhook_rejected(kind, body, signed):
    provider = _provider(kind)
    headers = _headers(kind, body, signed=signed)
    try:
        provider.verify_webhook(body=body, headers=headers, now=timezone.now())
        updates = provider.parse_webhook(body, headers)
    except WebhookRejected as exc:
        assert 400 <= exc.status < 500 and exc.reason
        return
    assert isinstance(updates, list)
    for update in updates:
        assert isinstance(update, CallUpdate)
        assert isinstance(update.provider_call_id, str) and isinstance(update.dedupe_key, str)
        assert update.transcript is None or isinstance(update.transcript, list)
        assert update.duration_seconds is None or 0 <= update.duration_seconds < 2**31
        json.dumps(update_to_json(update))  # storable as the inbox stores it


@pytest.fixture
def accounts(db):
    made = {}
    for kind in KINDS:
        account = factories.make_account(kind)
        account.webhook_secrets = [SECRET]
        account.save()
        # A call to match, so applying (not only storing) is fuzzed too.
        Call.objects.create(account=account, provider_call_id="c1", call_type="tts")
        made[kind] = account
    return made


@_found
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(KINDS), body=bodies, signed=st.booleans())
def test_inbox_view_never_500s_and_never_half_writes(client, accounts, kind, body, signed):
    account = accounts[kind]
    before = WebhookEvent.objects.count()
    response = client.post(
        reverse("webhook_inbox", args=[account.webhook_token]),
        data=body,
        content_type="application/json",
        headers=_headers(kind, body, signed=signed),
    )
    assert response.status_code < 500
    stored = WebhookEvent.objects.count() - before
    if response.status_code != 200:
        assert 400 <= response.status_code < 500 and stored == 0
        return
    answer = response.json()
    assert stored == answer["stored"]
    failed = WebhookEvent.objects.filter(state=WebhookEvent.State.FAILED)
    assert not failed.exists(), list(failed.values("body", "error"))
    assert not WebhookEvent.objects.filter(state=WebhookEvent.State.PENDING).exists()
    for call in Call.objects.filter(account=account):
        _fits_the_columns(call)


def _fits_the_columns(row):
    """SQLite does not enforce lengths; PostgreSQL would refuse the save, so check here."""
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(value, str) and field.max_length:
            assert len(value) <= field.max_length, (field.name, value)
