import json
import time

import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from telephony.models import Call, CallEvent, WebhookEvent
from telephony.providers.sandbox.adapter import sign
from tests import factories
from tests.telephony.helpers import post_signed_webhook


def _post(client, account, payload, *, secret=None, ts=None, raw=None):
    return post_signed_webhook(client, account, payload, body=raw, secret=secret, ts=ts)


@pytest.fixture
def call(account, agent, contact):
    return Call.objects.create(
        account=account,
        provider_call_id="sbx-call-1",
        call_type=Call.Type.CLICK_TO_CALL,
        to_number=contact.phone,
        agent=agent,
        contact=contact,
    )


def _event(seq, word, **extra):
    return {"event_id": f"sbx-call-1:{seq}", "call_id": "sbx-call-1", "event": word, **extra}


def test_same_event_five_times_changes_state_once(client, account, call):
    for _ in range(5):
        assert _post(client, account, _event(0, "ringing")).status_code == 200
    call.refresh_from_db()
    assert call.status == "ringing"
    assert WebhookEvent.objects.count() == 1
    assert CallEvent.objects.filter(call=call).count() == 1


def test_late_ringing_never_reopens_a_completed_call(client, account, call):
    _post(
        client,
        account,
        _event(
            2, "completed", duration=31, recording_url="https://sandbox.invalid/recordings/x.wav"
        ),
    )
    _post(client, account, _event(1, "answered"))
    _post(client, account, _event(0, "ringing"))
    call.refresh_from_db()
    assert call.status == "completed"
    assert call.duration_seconds == 31
    assert call.ended_at is not None
    assert call.ringing_at is not None  # the late event still fills its own timestamp
    late = CallEvent.objects.filter(call=call, status="ringing").get()
    assert "late" in late.detail


def test_events_in_order_walk_the_call_to_completion(client, account, call):
    for seq, word in enumerate(["ringing", "answered", "completed"]):
        _post(client, account, _event(seq, word, duration=12 if word == "completed" else None))
        call.refresh_from_db()
    assert call.status == "completed" and call.answered_at and call.duration_seconds == 12


def test_event_for_an_unknown_call_is_kept_and_matched_later(client, account, agent, contact):
    from telephony.services.inbox import inbox_match_unmatched

    _post(client, account, {"event_id": "e1", "call_id": "later-id", "event": "ringing"})
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.UNMATCHED
    call = Call.objects.create(
        account=account,
        provider_call_id="later-id",
        call_type=Call.Type.TTS,
        to_number=contact.phone,
    )
    assert inbox_match_unmatched(call) == 1
    call.refresh_from_db()
    assert call.status == "ringing"


@pytest.mark.parametrize(
    "kind, expected",
    [("token", 404), ("signature", 401), ("stale", 401), ("json", 400), ("fields", 400)],
)
def test_bad_webhooks_get_a_4xx_and_write_nothing(client, account, call, kind, expected):
    audit_before = AuditEntry.objects.count()
    if kind == "token":
        resp = client.post("/webhooks/not-a-token/", data=b"{}", content_type="application/json")
    elif kind == "signature":
        resp = _post(client, account, _event(0, "completed"), secret="forged")
    elif kind == "stale":
        resp = _post(client, account, _event(0, "completed"), ts=int(time.time()) - 3600)
    elif kind == "json":
        resp = _post(client, account, None, raw=b"{not json")
    else:
        resp = _post(client, account, {"event": "completed"})
    assert resp.status_code == expected
    assert WebhookEvent.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    call.refresh_from_db()
    assert call.status == "queued"
    if kind != "token":
        account.refresh_from_db()
        assert account.webhooks_rejected == 1


def test_body_over_one_megabyte_is_refused(client, account, call):
    resp = _post(client, account, None, raw=b"{" + b" " * (1024 * 1024 + 10) + b"}")
    assert resp.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_get_is_not_allowed(client, account):
    assert client.get(reverse("webhook_inbox", args=[account.webhook_token])).status_code == 405


def test_disabled_account_is_treated_as_unknown(client, account, call):
    account.enabled = False
    account.save()
    assert _post(client, account, _event(0, "ringing")).status_code == 404


def test_failed_apply_keeps_the_event_for_retry(client, account, call, monkeypatch):
    from telephony.services import inbox, inbox_drain

    def boom(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(inbox_drain, "merge_update", boom)  # the one apply path
    assert _post(client, account, _event(0, "ringing")).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.FAILED and "hiccup" in event.error
    monkeypatch.undo()
    assert inbox.inbox_retry_pending() == 1
    call.refresh_from_db()
    assert call.status == "ringing"


def test_second_account_token_cannot_post_for_the_first(client, account, call):
    other = factories.make_account()
    body = json.dumps(_event(0, "ringing")).encode()
    ts = int(time.time())
    resp = client.post(
        reverse("webhook_inbox", args=[other.webhook_token]),
        data=body,
        content_type="application/json",
        headers={
            "X-Sandbox-Signature": sign(body, account.webhook_secrets[0], ts),
            "X-Sandbox-Timestamp": str(ts),
        },
    )
    assert resp.status_code == 401
    call.refresh_from_db()
    assert call.status == "queued"


def test_provider_opt_out_event_adds_dnc_and_opts_the_contact_out(account, contact):
    from contacts.models import DNCEntry
    from telephony.providers.base import CallStatus, CallUpdate
    from telephony.services.callstate import update_to_json
    from telephony.services.inbox import event_apply

    update = CallUpdate(
        provider_call_id="",
        status=CallStatus.UNKNOWN,
        event_type="contact.optout",
        to_number=contact.phone,
        dedupe_key="opt-1",
    )
    event = WebhookEvent.objects.create(
        account=account,
        dedupe_key="opt-1",
        event_type="contact.optout",
        body="{}",
        update=update_to_json(update),
    )
    assert event_apply(event.pk) == "applied"
    contact.refresh_from_db()
    assert (
        contact.opted_out and DNCEntry.objects.get(phone=contact.phone).source == "provider_optout"
    )
