"""Retention: old calls, recordings and webhook events purged in batches, files included."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule

from callcenter.models import AuditEntry
from telephony.models import Call, CallEvent, Recording, SandboxEvent, WebhookEvent
from telephony.services.retention import retention_purge
from telephony.tasks import retention_purge as retention_task
from tests.security.conftest import add_recording, make_call


@pytest.fixture
def retention(settings):
    settings.RETENTION_CALL_DAYS = 30
    settings.RETENTION_RECORDING_DAYS = 10
    settings.RETENTION_EVENT_DAYS = 5
    return settings


def _aged(model, pk, days, field):
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(days=days)})


@pytest.fixture
def data(account, contact):
    old_call = make_call(account, contact=contact)
    _aged(Call, old_call.pk, 40, "created_at")
    CallEvent.objects.create(call=old_call, at=timezone.now(), source="app")
    old_call_recording = add_recording(old_call)
    still_ringing = make_call(account, contact=contact, status="ringing")
    _aged(Call, still_ringing.pk, 40, "created_at")
    kept_call = make_call(account, contact=contact, recording_url="https://x.invalid/r.wav")
    _aged(Call, kept_call.pk, 20, "created_at")
    old_recording = add_recording(kept_call)
    _aged(Recording, old_recording.pk, 20, "fetched_at")
    fresh_call = make_call(account, contact=contact)
    fresh_recording = add_recording(fresh_call)
    for n in range(5):
        event = WebhookEvent.objects.create(account=account, dedupe_key=f"old-{n}", body="{}")
        _aged(WebhookEvent, event.pk, 6, "received_at")
    WebhookEvent.objects.create(account=account, dedupe_key="new", body="{}")
    SandboxEvent.objects.create(
        account=account,
        due_at=timezone.now() - timedelta(days=9),
        delivered_at=timezone.now() - timedelta(days=9),
        body="{}",
    )
    return {
        "old_call": old_call,
        "still_ringing": still_ringing,
        "kept_call": kept_call,
        "fresh_call": fresh_call,
        "files": {
            "old_call": old_call_recording.file.name,
            "old_recording": old_recording.file.name,
            "fresh": fresh_recording.file.name,
        },
    }


def test_dry_run_reports_what_would_go_and_deletes_nothing(retention, data):
    out = io.StringIO()
    call_command("purge_data", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dry run" in text
    assert "calls: would delete 1 older than" in text
    assert "recordings: would delete 1 older than" in text
    assert "webhook events: would delete 5 older than" in text
    assert "recording files: would delete 2" in text
    assert Call.objects.count() == 4 and WebhookEvent.objects.count() == 6
    assert all(default_storage.exists(name) for name in data["files"].values())


def test_purge_deletes_old_rows_and_their_files_keeps_the_rest(retention, data):
    out = io.StringIO()
    call_command("purge_data", "--batch-size", "2", stdout=out)
    assert set(Call.objects.values_list("pk", flat=True)) == {
        data["still_ringing"].pk,  # old but not finished: reconciliation still needs it
        data["kept_call"].pk,
        data["fresh_call"].pk,
    }
    assert not CallEvent.objects.filter(call_id=data["old_call"].pk).exists()
    files = data["files"]
    assert not default_storage.exists(files["old_call"])
    assert not default_storage.exists(files["old_recording"])
    assert default_storage.exists(files["fresh"])
    kept = Call.objects.get(pk=data["kept_call"].pk)
    # Its recording is gone, and without the URL the sync does not fetch it back.
    assert not Recording.objects.filter(call=kept).exists() and kept.recording_url == ""
    assert list(WebhookEvent.objects.values_list("dedupe_key", flat=True)) == ["new"]
    assert not SandboxEvent.objects.exists()
    assert "Deleted 8 row(s)" in out.getvalue()
    entry = AuditEntry.objects.get(action="retention.purge")
    assert entry.data["counts"]["webhook events"] == 5


def test_purge_batches_never_count_rows(retention, data):
    with CaptureQueriesContext(connection) as queries:
        report = retention_purge(batch_size=2)
    assert report.counts["webhook events"] == 5
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # 5 old events in batches of 2: three deletes and one empty look, not one per row.
    deletes = [q for q in queries if q["sql"].startswith('DELETE FROM "telephony_webhookevent"')]
    assert len(deletes) == 3


def test_a_purge_cut_short_by_its_time_budget_goes_on_next_run(retention, data):
    first = retention_purge(batch_size=1, time_budget=1e-9)
    assert not first.complete and "stopped at the time limit" in first.lines()[-1]
    assert retention_purge(batch_size=1).complete
    assert WebhookEvent.objects.count() == 1


def test_zero_days_keeps_everything(settings, data):
    settings.RETENTION_CALL_DAYS = settings.RETENTION_RECORDING_DAYS = 0
    settings.RETENTION_EVENT_DAYS = 0
    report = retention_purge()
    assert report.total == 0
    assert "calls: kept for ever (retention 0)" in report.lines()
    assert Call.objects.count() == 4 and WebhookEvent.objects.count() == 6
    assert not AuditEntry.objects.filter(action="retention.purge").exists()


def test_purge_is_scheduled_and_the_task_reports(retention, data):
    from telephony.schedules import ensure_schedules

    ensure_schedules()
    schedule = Schedule.objects.get(name="retention-purge")
    assert schedule.func == "telephony.tasks.retention_purge" and schedule.minutes == 60
    assert "webhook events: deleted 5" in retention_task()


def test_purge_data_help_explains_itself():
    from telephony.management.commands.purge_data import Command

    parser = Command().create_parser("manage.py", "purge_data")
    text = parser.format_help()
    for word in ("--dry-run", "--batch-size", "--max-seconds", "RETENTION_CALL_DAYS"):
        assert word in text
