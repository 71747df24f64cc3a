"""Click-to-call and masked calls through an IVR Solutions account, against its HTTP fake,
exactly as through the sandbox: our services place the call over HTTP, the fake plays it
forward and posts signed webhooks to our inbox on a live server."""

from datetime import UTC, datetime

import pytest

from telephony.models import Call, MaskedSession
from telephony.services import call_click_to_call
from telephony.services.accounts import account_create
from telephony.services.sync import reconcile_calls, sync_call_logs
from tests import factories
from tests.fakes.base import wait_until
from tests.fakes.ivrsolutions import IVRSolutionsFake

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def ivr(live_server):
    fake = IVRSolutionsFake().start()
    # Signed events carry the fake's clock; ours checks it against real time.
    fake.clock = datetime.now(UTC)
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": fake.api_token},
        base_url=fake.url,
    )
    fake.webhook_url = live_server.url + account.webhook_path
    fake.secret_key = account.webhook_secrets[0]
    yield fake, account
    fake.stop()


def _agent_on(account):
    from telephony.models import Agent, Extension

    did = factories.make_did(account, "+911143104567")
    agent = Agent.objects.create(user=factories.make_user("agent"), state=Agent.State.READY)
    Extension.objects.create(account=account, number="2101", agent=agent, did=did)
    return agent


def test_click_to_call_through_ivr_solutions_completes_via_signed_webhooks(ivr):
    fake, account = ivr
    agent = _agent_on(account)
    contact = factories.make_contact("+919876543210")
    fake.force_outcome(contact.phone, "answered")
    call = call_click_to_call(user=agent.user, contact=contact)
    call.refresh_from_db()
    assert call.provider_call_id and call.status == "queued"
    sent = [r for r in fake.requests if r.path == "/api/c2c_post"]
    assert len(sent) == 1 and sent[0].form()["phone"] == "09876543210"
    fake.advance(300)
    assert wait_until(lambda: Call.objects.get(pk=call.pk).status == "completed", timeout=10)
    call.refresh_from_db()
    assert call.duration_seconds and call.recording_url
    account.refresh_from_db()
    assert account.webhooks_rejected == 0


def test_timeout_while_placing_leaves_the_call_unknown_until_the_logs_say(ivr, monkeypatch):
    from dataclasses import replace
    from datetime import timedelta

    from django.utils import timezone

    from telephony.services import accounts as accounts_service

    fake, account = ivr
    agent = _agent_on(account)
    contact = factories.make_contact("+919876543211")
    fake.force_outcome(contact.phone, "answered")
    fake.inject("timeout", path_contains="c2c_post")
    original = accounts_service.account_config
    # A 1 s read timeout instead of 15 s keeps the test short.
    monkeypatch.setattr(
        accounts_service, "account_config", lambda a: replace(original(a), read_timeout=1.0)
    )
    call = call_click_to_call(user=agent.user, contact=contact)
    call.refresh_from_db()
    assert call.status == "unknown" and not call.provider_call_id
    fake.advance(300)
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    result = reconcile_calls(account=account)
    call.refresh_from_db()
    assert result.updated == 1
    assert call.provider_call_id and call.status == "completed"
    # The fake got exactly one placing request: the reconciler never redials.
    assert len([r for r in fake.requests if r.path == "/api/c2c_post"]) == 1


def test_masked_call_through_ivr_solutions(ivr):
    from telephony.services.masked import masked_session_start

    fake, account = ivr
    did = factories.make_did(account, "+911143104567")
    user = factories.make_user("supervisor")
    session = masked_session_start(
        user=user, did=did, party_a="+919876543212", party_b="+919876543213"
    )
    assert MaskedSession.objects.get(pk=session.pk).status == "active"
    assert [r for r in fake.requests if r.path == "/api/click_connect"]
    call = Call.objects.get(masked_session=session)
    fake.advance(300)
    assert wait_until(lambda: Call.objects.get(pk=call.pk).is_final, timeout=10)


def test_call_log_sync_imports_calls_made_elsewhere(ivr):
    import requests

    fake, account = ivr
    requests.post(
        fake.url + "/api/c2c_post",
        headers={"Authorization": f"Bearer {fake.api_token}"},
        data={"did": "+911143104567", "ext_no": "2101", "phone": "09876543219"},
        timeout=5,
    )
    fake.advance(300)
    from datetime import timedelta

    from django.utils import timezone

    result = sync_call_logs(account=account, since=timezone.now() - timedelta(days=400))
    assert result.created >= 1
    synced = Call.objects.get(account=account, to_number="+919876543219")
    assert synced.call_type == "synced" and synced.is_final
    again = sync_call_logs(account=account, since=timezone.now() - timedelta(days=400))
    assert again.created == 0


def test_the_same_genuine_ivr_event_ten_times_changes_the_call_once(ivr, client):
    import hashlib
    import hmac
    import json
    import time

    from telephony.models import CallEvent, WebhookEvent

    fake, account = ivr
    call = Call.objects.create(
        account=account,
        provider_call_id="123999",
        call_type=Call.Type.CLICK_TO_CALL,
        to_number="+919876543214",
    )
    ts = int(time.time())
    body = json.dumps(
        {
            "event_id": "evt_123999_3",
            "event": "hangup",
            "logid": 123999,
            "recordid": 123999,
            "call_status": "answered",
            "call_duration": 42,
            "timestamp": ts,
        }
    ).encode()
    signature = hmac.new(account.webhook_secrets[0].encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-IVR-Signature": f"sha256={signature}", "X-IVR-Timestamp": str(ts)}
    for _ in range(10):
        resp = client.post(
            account.webhook_path, data=body, content_type="application/json", headers=headers
        )
        assert resp.status_code == 200
    call.refresh_from_db()
    assert call.status == "completed" and call.duration_seconds == 42
    assert WebhookEvent.objects.filter(account=account).count() == 1
    assert CallEvent.objects.filter(call=call).count() == 1
