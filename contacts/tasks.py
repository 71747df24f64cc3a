"""django-q2 tasks of the contacts app (thin; contacts depends on no other app)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contacts.imports import importer
from contacts.imports.importer import STALE_AFTER, enqueue_import
from contacts.models import ImportJob


def import_run(job_id: int) -> str:
    return importer.import_run(job_id=job_id).message


def import_resume_stale() -> int:
    """Schedule: restart imports whose worker died (the job resumes where it stopped)."""
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
