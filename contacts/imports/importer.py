"""CSV import of contacts into a list: prepare (check the whole file, guess the mapping),
confirm (the duplicate choice; a new list is created only now), then run as a task in
atomic batches.

The file is read as a stream (`contacts.imports.file`), never whole, so memory stays flat
at any size up to the upload limit. Rows are validated one by one; a bad row is reported
(row number, column, reason) and skipped, never half-written. Each batch commits together
with the job's counters and `processed_rows`, so a worker killed mid-file resumes after
the last committed batch.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from datetime import timedelta
from itertools import islice
from typing import IO, Any

from django.core.files import File
from django.db import reset_queries, transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from callcenter.services.jobs import enqueue
from common.csvsafe import csv_safe, csv_safe_row  # noqa: F401 - re-exported for exports
from contacts.imports.file import FileFacts, guess_role, inspect_upload, open_records
from contacts.imports.rows import RowImporter, row_phone
from contacts.models import Contact, ContactList, ImportJob
from contacts.services.contacts import contact_list_create

ROLES = ("phone", "name", "email", "time_zone", "variable", "ignore")
BATCH = 1000
PREVIEW_ROWS = 5
DUPLICATE_SAMPLE = 1000  # rows of the file the mapping page checks against existing contacts
STALE_AFTER = timedelta(minutes=5)  # a running job silent this long is taken over


# -- reading --------------------------------------------------------------------------------------
def decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not), UTF-16 with a BOM,
    else Windows-1252, else Latin-1 (which reads any byte)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _records(handle: IO[bytes], job: ImportJob) -> Any:
    return open_records(handle, encoding=job.encoding or "utf-8", delimiter=job.delimiter)


# -- prepare and confirm ----------------------------------------------------------------------
def import_prepare(
    *,
    user: Any,
    name: str,
    content: bytes | IO[bytes],
    contact_list: ContactList | None = None,
    new_list_name: str = "",
    default_region: str = "IN",
    default_time_zone: str = "Asia/Kolkata",
    duplicates: str = ImportJob.Duplicates.LINK,
    facts: FileFacts | None = None,
) -> ImportJob:
    """Check the whole file and store it; the job then waits for its column mapping.

    `content` is the file's bytes or a binary file (an upload: streamed, never read whole).
    `facts`: what `inspect_upload` found when the caller has checked the file already.
    A new list is only named here (`new_list_name`) and created at confirm, so an upload
    abandoned at the mapping step leaves no empty list in every list picker.
    """
    new_list_name = new_list_name.strip()
    if contact_list is None and not new_list_name:
        raise ServiceError("Choose a list or name a new one.")
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    facts = facts or inspect_upload(source, name=name)
    job = ImportJob(
        contact_list=contact_list,
        new_list_name="" if contact_list else new_list_name[:120],
        original_name=name[:200],
        encoding=facts.encoding,
        delimiter=facts.delimiter,
        header=facts.header,
        mapping={column: guess_role(column) for column in facts.header},
        default_region=default_region,
        default_time_zone=default_time_zone,
        duplicates=duplicates,
        total_rows=facts.rows,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    source.seek(0)
    job.file.save("upload.csv", File(source), save=False)
    job.save()
    return job


def import_preview(job: ImportJob, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    with job.file.open("rb") as handle, _records(handle, job) as reader:
        try:
            return list(islice(reader, 1, rows + 1))
        except csv.Error:
            return []  # checked at upload; a file changed since then shows no preview


def import_duplicate_sample(job: ImportJob, phone_column: str | None) -> dict:
    """How many of the first rows' numbers already belong to contacts, and in which lists:
    what the duplicate choice on the mapping page is about."""
    if phone_column not in job.header:
        return {"rows": 0, "existing": 0, "lists": []}
    index = job.header.index(phone_column)
    phones = set()
    with job.file.open("rb") as handle, _records(handle, job) as reader:
        try:
            sample = list(islice(reader, 1, DUPLICATE_SAMPLE + 1))
        except csv.Error:
            sample = []
    for record in sample:
        phone, _error = row_phone(record[index] if index < len(record) else "", job.default_region)
        if phone:
            phones.add(phone)
    held = Contact.objects.filter(phone__in=phones, erased_at__isnull=True)
    lists = ContactList.objects.filter(contacts__in=held).distinct().order_by("name")
    return {
        "rows": len(sample),
        "existing": held.values("phone").distinct().count(),
        "lists": list(lists.values_list("name", flat=True)[:5]),
    }


@transaction.atomic
def import_confirm(
    *,
    user: Any,
    job: ImportJob,
    mapping: dict[str, str],
    duplicates: str | None = None,
    ip: str | None = None,
    queue: bool = True,
) -> ImportJob:
    """Fix the mapping and the duplicate choice, create the new list if one was named, and
    queue the import (`queue=False`: the caller runs it itself)."""

    if job.status != ImportJob.Status.MAPPING:
        raise ServiceError("This import has already been started.")
    unknown = set(mapping) - set(job.header)
    if unknown or any(role not in ROLES for role in mapping.values()):
        raise ServiceError("The mapping names columns or roles this file does not have.")
    problems = [
        f"Only one column can be the {role.replace('_', ' ')}."
        for role in ("phone", "name", "email", "time_zone")
        if list(mapping.values()).count(role) > 1
    ]
    if "phone" not in mapping.values():
        problems.append("Choose which column holds the phone number.")
    duplicates = duplicates or job.duplicates
    if duplicates not in ImportJob.Duplicates.values:
        problems.append("Choose what to do with numbers that already belong to a contact.")
    if problems:
        raise ServiceError(" ".join(problems))
    # The claim: of two confirms racing (a double click), one queues the import.
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
        status=ImportJob.Status.QUEUED
    )
    if claimed != 1:
        raise ServiceError("This import has already been started.")
    if job.contact_list_id is None:
        job.contact_list = contact_list_create(user=user, name=job.new_list_name, ip=ip)
    job.mapping, job.duplicates, job.status = mapping, duplicates, ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "duplicates", "contact_list", "status"])
    audit_log(
        actor=user,
        action="contacts.import",
        obj=job,
        ip=ip,
        summary=f"Import of {job.original_name} into {job.contact_list} queued "
        f"(existing numbers: {job.get_duplicates_display().lower()})",
    )
    if queue:
        enqueue_import(job.pk)
    return job


# -- running --------------------------------------------------------------------------------------
def import_claim(job_id: int) -> bool:
    """Take the job: queued, or running but silent (its worker died) -> running."""
    now = timezone.now()
    fresh = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    stale = ImportJob.objects.filter(
        pk=job_id, status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).update(heartbeat_at=now)
    return bool(fresh or stale)


def import_run(*, job_id: int, batch_size: int = BATCH) -> ImportJob:
    """Run (or resume) an import. Safe to call twice: the second call finds it claimed."""

    if not import_claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("contact_list").get(pk=job_id)
    start = job.processed_rows
    try:
        with (
            RowImporter(job) as importer,
            job.file.open("rb") as handle,
            _records(handle, job) as reader,
        ):
            deque(islice(reader, 1 + start), maxlen=0)  # the header, then committed rows
            while batch := list(islice(reader, batch_size)):
                try:
                    importer.commit_batch(batch, first_row=start + 2)  # +1 header, +1 1-based
                except Exception as exc:
                    return _fail(job, f"Stopped at row {start + 2}: {exc}")
                start += len(batch)
                # With DEBUG on (a dev worker) Django keeps the SQL of the last 9,000
                # queries; a 1,000-row insert is ~100 KB of it: hundreds of MB by the end.
                reset_queries()
            return _finish(job, importer)
    except csv.Error as exc:
        return _fail(job, f"The file is not valid CSV near row {start + 2}: {exc}")


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, importer: Any) -> ImportJob:
    job.refresh_from_db()
    if importer.error_total:
        importer.errors_out.seek(0)
        job.errors_file.save(f"errors-{job.pk}.csv", File(importer.errors_out), save=False)
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.message = (
        f"{job.created_count} created, {job.linked_count} existing contacts linked, "
        f"{job.updated_count} updated, {job.skipped_count} already in the list, "
        f"{job.error_count} rows with errors."
    )
    job.save(update_fields=["status", "finished_at", "message", "errors_file"])
    audit_log(
        actor=job.created_by,
        action="contacts.import_done",
        obj=job,
        summary=f"Import {job.pk} into {job.contact_list}: {job.message}",
    )
    return job


def enqueue_import(job_id: int) -> None:
    """Queue the import once the job row is committed."""
    enqueue("contacts.tasks.import_run", job_id)
