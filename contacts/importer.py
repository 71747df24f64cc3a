"""CSV import of contacts into a list: prepare (read the head, guess the mapping), confirm,
then run as a task in atomic batches.

Rows are validated one by one; a bad row is reported (row number, column, reason) and
skipped, never half-written. Each batch commits together with the job's counters and
`processed_rows`, so a worker killed mid-file resumes after the last committed batch.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from callcenter.audit import audit_log
from callcenter.errors import ServiceError
from contacts.models import ContactList, ImportJob
from contacts.phones import InvalidPhoneNumber, normalize_phone, phone_time_zone

ROLES = ("phone", "name", "email", "time_zone", "variable", "ignore")
GUESSES = {
    "phone": {"phone", "mobile", "number", "phone number", "msisdn", "mobile number", "contact"},
    "name": {"name", "full name", "customer", "customer name", "contact name"},
    "email": {"email", "e-mail", "email address"},
    "time_zone": {"time zone", "timezone", "tz", "time_zone"},
}
BATCH = 1000
PREVIEW_ROWS = 5
ERRORS_KEPT_ON_PAGE = 50
STALE_AFTER = timedelta(minutes=5)  # a running job silent this long is taken over
csv.field_size_limit(1024 * 1024)


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


def sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _reader(text: str, delimiter: str) -> Any:
    # NUL bytes would stop the csv module mid-file; they are never meaningful in a cell.
    return csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter)


def guess_role(column: str) -> str:
    key = column.strip().lower().replace("_", " ")
    for role, names in GUESSES.items():
        if key in names or key.replace(" ", "_") in names:
            return role
    return "variable"


# -- prepare and confirm ----------------------------------------------------------------------
def import_prepare(
    *,
    user: Any,
    contact_list: ContactList,
    name: str,
    content: bytes,
    default_region: str = "IN",
    default_time_zone: str = "Asia/Kolkata",
    duplicates: str = ImportJob.Duplicates.SKIP,
) -> ImportJob:
    """Store the file and read its head; the job then waits for its column mapping."""
    if not content.strip():
        raise ServiceError("The file is empty.")
    text, encoding = decode(content)
    delimiter = sniff_delimiter(text)
    try:
        header = next(_reader(text, delimiter), [])
    except csv.Error as exc:
        raise ServiceError(f"The file is not readable as CSV: {exc}") from exc
    header = [h.strip() for h in header]
    if not any(header):
        raise ServiceError("The first line must name the columns (e.g. name,phone).")
    if len(set(header)) != len(header):
        raise ServiceError("Two columns have the same name; rename one and upload again.")
    job = ImportJob(
        contact_list=contact_list,
        original_name=name[:200],
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        mapping={column: guess_role(column) for column in header},
        default_region=default_region,
        default_time_zone=default_time_zone,
        duplicates=duplicates,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    job.file.save(f"{contact_list.pk}.csv", ContentFile(content), save=False)
    job.save()
    return job


def import_preview(job: ImportJob, rows: int = PREVIEW_ROWS) -> list[list[str]]:
    text = _text(job)
    reader = _reader(text, job.delimiter)
    next(reader, None)
    out = []
    for row in reader:
        out.append(row)
        if len(out) >= rows:
            break
    return out


@transaction.atomic
def import_confirm(
    *,
    user: Any,
    job: ImportJob,
    mapping: dict[str, str],
    ip: str | None = None,
    queue: bool = True,
) -> ImportJob:
    """Fix the mapping and queue the import (`queue=False`: the caller runs it itself)."""
    from contacts.tasks import enqueue_import

    if job.status != ImportJob.Status.MAPPING:
        raise ServiceError("This import has already been started.")
    unknown = set(mapping) - set(job.header)
    if unknown or any(role not in ROLES for role in mapping.values()):
        raise ServiceError("The mapping names columns or roles this file does not have.")
    for role in ("phone", "name", "email", "time_zone"):
        if list(mapping.values()).count(role) > 1:
            raise ServiceError(f"Only one column can be the {role.replace('_', ' ')}.")
    if "phone" not in mapping.values():
        raise ServiceError("Choose which column holds the phone number.")
    job.mapping = mapping
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "status"])
    audit_log(
        actor=user,
        action="contacts.import",
        obj=job,
        ip=ip,
        summary=f"Import of {job.original_name} into {job.contact_list} queued",
    )
    if queue:
        enqueue_import(job.pk)
    return job


def _text(job: ImportJob) -> str:
    with job.file.open("rb") as handle:
        return decode(handle.read())[0]


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
    from contacts.import_rows import RowImporter

    if not import_claim(job_id):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("contact_list").get(pk=job_id)
    try:
        records = list(_reader(_text(job), job.delimiter))[1:]
    except csv.Error as exc:
        return _fail(job, f"The file is not valid CSV: {exc}")
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(records))
    importer = RowImporter(job)
    for start in range(job.processed_rows, len(records), batch_size):
        batch = records[start : start + batch_size]
        try:
            importer.commit_batch(batch, first_row=start + 2)  # +1 header, +1 one-based
        except Exception as exc:  # noqa: BLE001 - the batch rolled back; say why and stop
            return _fail(job, f"Stopped at row {start + 2}: {exc}")
    return _finish(job, importer)


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, importer: Any) -> ImportJob:
    job.refresh_from_db()
    if importer.errors:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["row", "column", "reason"])
        writer.writerows(csv_safe_row(e) for e in importer.errors)
        job.errors_file.save(f"errors-{job.pk}.csv", ContentFile(buffer.getvalue().encode()))
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.message = (
        f"{job.created_count} created, {job.updated_count} updated, "
        f"{job.skipped_count} duplicates skipped, {job.error_count} rows with errors."
    )
    job.save(update_fields=["status", "finished_at", "message"])
    audit_log(
        actor=job.created_by,
        action="contacts.import_done",
        obj=job,
        summary=f"Import {job.pk} into {job.contact_list}: {job.message}",
    )
    return job


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, -, @, tab or CR would make it
    a formula (`=HYPERLINK(...)`), so it gets a leading apostrophe. A plain signed number
    such as an E.164 phone stays as it is: it cannot run anything."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
    ):
        return "'" + text
    return text


def csv_safe_row(row: Any) -> list[str]:
    return [csv_safe(v) for v in row]


def validate_cell_email(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return f"“{value}” is not an email address"
    return None


def row_phone(raw: str, region: str) -> tuple[str | None, str | None]:
    try:
        return normalize_phone(raw, region=region), None
    except InvalidPhoneNumber as exc:
        return None, str(exc)


def row_zone(phone: str, fallback: str) -> str:
    return phone_time_zone(phone, fallback=fallback)
