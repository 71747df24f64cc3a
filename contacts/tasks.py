"""django-q2 tasks of the contacts app (thin; contacts depends on no other app)."""

from __future__ import annotations

from django.db import transaction


def enqueue_import(job_id: int) -> None:
    """Queue the import once the job row is committed."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("contacts.tasks.import_run", job_id, group="import_run")
    )


def import_run(job_id: int) -> str:
    from contacts.importer import import_run as run

    return run(job_id=job_id).message


def import_resume_stale() -> int:
    """Schedule: restart imports whose worker died (the job resumes where it stopped)."""
    from datetime import timedelta

    from django.utils import timezone

    from contacts.importer import STALE_AFTER
    from contacts.models import ImportJob

    stale = ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER
    ).values_list("pk", flat=True)
    queued = ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, created_at__lt=timezone.now() - timedelta(minutes=2)
    ).values_list("pk", flat=True)
    ids = [*stale, *queued]
    for job_id in ids:
        enqueue_import(job_id)
    return len(ids)
