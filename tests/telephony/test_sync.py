from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telephony.models import Call, CallEvent, Disposition
from telephony.providers.base import CallStatus, CallUpdate
from telephony.services.calls import call_click_to_call
from telephony.services.sync import (
    SyncResult,
    _upsert,
    reconcile_calls,
    sync_push_dispositions,
    sync_recordings,
)
from tests import factories


def _update(pid, status, **kw):
    return CallUpdate(
        provider_call_id=pid,
        status=status,
        provider_status=str(status),
        to_number="+919876500100",
        **kw,
    )


def test_log_upsert_is_bulk_and_idempotent(account):
    existing = Call.objects.create(
        account=account, provider_call_id="p0", call_type=Call.Type.TTS, status="ringing"
    )
    updates = [_update(f"p{i}", CallStatus.COMPLETED, duration_seconds=30) for i in range(300)]
    with CaptureQueriesContext(connection) as ctx:
        result = SyncResult()
        _upsert(account, updates, result)
    assert result.created == 299 and result.updated == 1
    assert len(ctx) < 20  # a handful of bulk statements, not one per row
    existing.refresh_from_db()
    assert existing.status == "completed" and existing.duration_seconds == 30
    again = SyncResult()
    _upsert(account, updates, again)  # running twice changes nothing
    assert (again.created, again.updated) == (0, 0)
    assert Call.objects.filter(account=account).count() == 300
    assert CallEvent.objects.filter(call=existing, source="sync").count() == 1


def test_log_upsert_never_moves_a_final_call_backwards(account):
    call = Call.objects.create(
        account=account, provider_call_id="p1", call_type=Call.Type.TTS, status="completed"
    )
    _upsert(account, [_update("p1", CallStatus.RINGING)], SyncResult())
    call.refresh_from_db()
    assert call.status == "completed"


def test_reconcile_asks_the_provider_about_stuck_calls(agent, contact):
    contact.phone = "+919876500001"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    # The webhooks were lost; the call is old enough for the sandbox's details to say "completed".
    old = timezone.now() - timedelta(minutes=10)
    pid = call.provider_call_id.rsplit("-", 2)
    pid[1] = str(int(old.timestamp()))
    Call.objects.filter(pk=call.pk).update(created_at=old, provider_call_id="-".join(pid))
    result = reconcile_calls(account=call.account)
    call.refresh_from_db()
    assert result.updated == 1 and call.status == "completed"
    assert call.events.filter(source="sync").exists()


def test_unknown_call_without_id_is_failed_after_the_grace_period_never_redialed(agent, account):
    call = Call.objects.create(
        account=account,
        call_type=Call.Type.CLICK_TO_CALL,
        status="unknown",
        to_number="+919876500100",
    )
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(hours=3))
    reconcile_calls(account=account)
    call.refresh_from_db()
    assert call.status == "failed" and "never confirmed" in call.error
    assert Call.objects.count() == 1


def test_recording_on_a_foreign_host_is_refused_once_and_not_retried(account):
    call = Call.objects.create(
        account=account,
        provider_call_id="x",
        call_type=Call.Type.TTS,
        status="completed",
        recording_url="https://evil.example/steal",
    )
    assert sync_recordings(account=account).failed == 1
    assert sync_recordings(account=account).failed == 0  # given up: not fetched again
    call.refresh_from_db()
    assert call.recording_attempts == 5


def test_dispositions_are_pushed_once(agent, contact):
    contact.phone = "+919876500001"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    Call.objects.filter(pk=call.pk).update(
        status="completed", disposition=Disposition.objects.get(code="interested")
    )
    assert sync_push_dispositions(account=call.account).updated == 1
    assert sync_push_dispositions(account=call.account).updated == 0
    call.refresh_from_db()
    assert call.disposition_pushed_at is not None


def test_sync_command_runs_every_step(account, capsys):
    from django.core.management import call_command

    call_command("sync_provider", account.name)
    out = capsys.readouterr().out
    for step in ("logs", "details", "recordings", "dispositions", "reconcile"):
        assert step in out


def test_provider_account_command_adds_lists_and_tests(db, capsys):
    from django.core.management import call_command

    call_command("provider_account", "add", "--kind", "sandbox", "--name", "Scripted")
    out = capsys.readouterr().out
    assert "Webhook URL: http" in out
    call_command("provider_account", "list")
    assert "Scripted" in capsys.readouterr().out
    call_command("provider_account", "test", "Scripted")
    assert "Sandbox ready" in capsys.readouterr().out


def test_factories_agent_is_usable(agent):
    assert factories.make_contact("+919876500200").pk


def test_low_credits_raise_a_visible_alert(client, supervisor, account):
    from telephony.models import ProviderAccount

    ProviderAccount.objects.filter(pk=account.pk).update(
        credits_balance=40, low_credit_threshold=100
    )
    client.force_login(supervisor)
    html = client.get("/contacts/").content.decode()
    assert 'data-testid="low-credits"' in html and account.name in html
    ProviderAccount.objects.filter(pk=account.pk).update(credits_balance=400)
    assert 'data-testid="low-credits"' not in client.get("/contacts/").content.decode()
