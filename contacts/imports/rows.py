"""Turning CSV records into contacts, one atomic batch at a time (see importer.py).

A number that already belongs to a contact, in this list or any other, follows the job's
`duplicates` choice: link that contact to this list (the default: one person, one
contact), update it from the row, or create a new contact anyway. Existing contacts are
looked up per batch (one indexed query), so memory does not grow with the file or the
database; rows the file repeats find the contact an earlier batch created.

Every row lands in exactly one counter: created, linked, updated, skipped (already in
this list), or error.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.csvsafe import csv_safe_row
from common.phones import InvalidPhoneNumber, normalize_phone, phone_time_zone
from contacts.models import Contact, ImportJob

ERRORS_KEPT_ON_PAGE = 50
NAME_MAX = Contact._meta.get_field("name").max_length
# The validator allows 320 characters; the column holds fewer (PostgreSQL would refuse the
# whole batch).
EMAIL_MAX = Contact._meta.get_field("email").max_length
Duplicates = ImportJob.Duplicates
# Every statement of a batch goes in chunks of this many rows or values, IN lists padded
# to the full chunk: SQLite's driver caches its last 128 prepared statements, and one
# per distinct size of a 1,000-row insert or IN list held ~100 MB at 50 MB of CSV.
SQL_CHUNK = 100


def _chunks(values: list) -> list[list]:
    """`values` in SQL_CHUNK-long lists, the last padded with a repeat (same SQL text)."""
    out = [values[i : i + SQL_CHUNK] for i in range(0, len(values), SQL_CHUNK)]
    if out and len(out[-1]) < SQL_CHUNK:
        out[-1] = out[-1] + [out[-1][-1]] * (SQL_CHUNK - len(out[-1]))
    return out


@dataclass
class _Plan:
    """What one batch will write."""

    creates: dict[str, list[Contact]] = field(default_factory=dict)
    updates: dict[int, dict] = field(default_factory=dict)  # contact id -> merged values
    links: set[int] = field(default_factory=set)  # existing contacts to add to the list
    linked: int = 0
    updated: int = 0
    skipped: int = 0


class RowImporter:
    def __init__(self, job: ImportJob):
        self.job = job
        self.header = job.header
        self.roles = [job.mapping.get(column, "ignore") for column in self.header]
        self.policy = job.duplicates
        self.preview: list[list] = list(job.errors_preview)
        # Every row error, for the downloadable errors file: on disk past 1 MB, not in RAM.
        self.errors_out = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by __exit__
            max_size=1 << 20, mode="w+", newline="", encoding="utf-8"
        )
        self._writer = csv.writer(self.errors_out)
        self._writer.writerow(["row", "column", "reason"])
        self.error_total = 0
        self._zones: dict[str, bool] = {}

    def __enter__(self) -> RowImporter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.errors_out.close()

    # -- one batch ---------------------------------------------------------------------------
    def commit_batch(self, records: list[list[str]], *, first_row: int) -> None:
        errors: list[tuple[int, str, str]] = []
        rows = [
            values
            for offset, record in enumerate(records)
            if (values := self._parse(record, first_row + offset, errors)) is not None
        ]
        existing = {} if self.policy == Duplicates.KEEP else self._existing(rows)
        plan = _Plan()
        for values in rows:
            self._place(values, existing, plan)
        through = Contact.lists.through
        list_id = self.job.contact_list_id
        with transaction.atomic():
            new = Contact.objects.bulk_create(
                [c for group in plan.creates.values() for c in group], batch_size=SQL_CHUNK
            )
            through.objects.bulk_create(
                [through(contact_id=pk, contactlist_id=list_id) for pk in plan.links]
                + [through(contact_id=c.pk, contactlist_id=list_id) for c in new],
                ignore_conflicts=True,
                batch_size=SQL_CHUNK,
            )
            self._update(plan.updates)
            ImportJob.objects.filter(pk=self.job.pk).update(
                processed_rows=F("processed_rows") + len(records),
                created_count=F("created_count") + len(new),
                linked_count=F("linked_count") + plan.linked,
                updated_count=F("updated_count") + plan.updated,
                skipped_count=F("skipped_count") + plan.skipped,
                error_count=F("error_count") + len(errors),
                heartbeat_at=timezone.now(),
            )
            if errors and len(self.preview) < ERRORS_KEPT_ON_PAGE:
                page = [list(e) for e in (self.preview + errors)[:ERRORS_KEPT_ON_PAGE]]
                ImportJob.objects.filter(pk=self.job.pk).update(errors_preview=page)
        # Only after commit: a rolled-back batch must not count as seen.
        self.preview = (self.preview + [list(e) for e in errors])[:ERRORS_KEPT_ON_PAGE]
        self._writer.writerows(csv_safe_row(e) for e in errors)
        self.error_total += len(errors)

    def _place(self, values: dict, existing: dict[str, tuple[int, bool]], plan: _Plan) -> None:
        phone = values["phone"]
        if self.policy != Duplicates.KEEP and phone in plan.creates:
            # Earlier in this batch, and new: the first row made the contact.
            if self.policy == Duplicates.UPDATE:
                _apply(plan.creates[phone][-1], values)
                plan.updated += 1
            else:
                plan.skipped += 1
            return
        if phone in existing:
            pk, in_list = existing[phone]
            if self.policy == Duplicates.UPDATE:
                _merge(plan.updates.setdefault(pk, {}), values)
                plan.updated += 1
                if not in_list:
                    plan.links.add(pk)
            elif in_list or pk in plan.links:
                plan.skipped += 1
            else:
                plan.links.add(pk)
                plan.linked += 1
            return
        contact = Contact(phone=phone)
        _apply(contact, values)
        plan.creates.setdefault(phone, []).append(contact)

    def _existing(self, rows: list[dict]) -> dict[str, tuple[int, bool]]:
        """Number -> (the contact that holds it, whether it is in this list already).

        Of several contacts with one number, the one in this list wins, else the oldest.
        """
        phones = sorted({values["phone"] for values in rows})
        found: list[tuple[str, int]] = []
        in_list: set[int] = set()
        for chunk in _chunks(phones):
            held = Contact.objects.filter(phone__in=chunk, erased_at__isnull=True)
            found += held.values_list("phone", "id")
            in_list |= set(
                Contact.lists.through.objects.filter(
                    contactlist_id=self.job.contact_list_id, contact__phone__in=chunk
                ).values_list("contact_id", flat=True)
            )
        found.sort(key=lambda row: row[1])  # oldest first
        out: dict[str, tuple[int, bool]] = {}
        for phone, pk in found:
            if phone not in out or (pk in in_list and not out[phone][1]):
                out[phone] = (pk, pk in in_list)
        return out

    def _update(self, updates: dict[int, dict]) -> int:
        if not updates:
            return 0
        contacts = []
        for chunk in _chunks(list(updates)):
            contacts += Contact.objects.filter(pk__in=chunk)
        for contact in contacts:
            _apply(contact, updates[contact.pk])
        Contact.objects.bulk_update(
            contacts,
            ["name", "email", "time_zone", "variables", "updated_at"],
            batch_size=SQL_CHUNK,
        )
        return len(contacts)

    # -- one row -----------------------------------------------------------------------------
    def _parse(self, record: list[str], row: int, errors: list) -> dict | None:
        if not any(cell.strip() for cell in record):
            return None  # blank lines are not rows
        if len(record) > len(self.header):
            errors.append(
                (row, "", f"{len(record)} values, but the header has {len(self.header)} columns")
            )
            return None
        values: dict = {"variables": {}}
        for column, role, cell in zip(self.header, self.roles, record, strict=False):
            cell = cell.strip()
            if role == "variable" and cell:
                values["variables"][column] = cell
            elif role in ("phone", "name", "email", "time_zone"):
                values[role] = cell
        problem = self._problem(values)
        if problem:
            errors.append((row, *problem))
            return None
        if not values.get("time_zone"):
            values["time_zone"] = row_zone(values["phone"], self.job.default_time_zone)
        return values

    def _problem(self, values: dict) -> tuple[str, str] | None:
        column = self._column_of
        raw = values.get("phone", "")
        if not raw:
            return column("phone"), "no phone number"
        phone, error = row_phone(raw, self.job.default_region)
        if error:
            return column("phone"), error
        values["phone"] = phone
        if len(values.get("name", "")) > NAME_MAX:
            return column("name"), f"longer than {NAME_MAX} characters"
        if len(values.get("email", "")) > EMAIL_MAX:
            return column("email"), f"longer than {EMAIL_MAX} characters"
        if values.get("email"):
            error = validate_cell_email(values["email"])
            if error:
                return column("email"), error
        zone = values.get("time_zone")
        if zone and not self._zone_ok(zone):
            return column("time_zone"), f"“{zone}” is not a known time zone"
        return None

    def _column_of(self, role: str) -> str:
        return next((c for c, r in zip(self.header, self.roles, strict=True) if r == role), role)

    def _zone_ok(self, zone: str) -> bool:
        if zone not in self._zones:
            try:
                ZoneInfo(zone)
                self._zones[zone] = True
            except (ZoneInfoNotFoundError, ValueError):
                self._zones[zone] = False
        return self._zones[zone]


def _apply(contact: Contact, values: dict) -> None:
    """Fill the contact from a row: given fields replace, variables merge."""
    for name in ("name", "email", "time_zone"):
        if values.get(name):
            setattr(contact, name, values[name])
    if values.get("variables"):
        contact.variables = {**(contact.variables or {}), **values["variables"]}
    contact.updated_at = timezone.now()


def _merge(into: dict, values: dict) -> None:
    variables = {**into.get("variables", {}), **values.get("variables", {})}
    into.update({k: v for k, v in values.items() if v and k != "variables"})
    into["variables"] = variables


# One cell at a time: the readers the row importer and the mapping page's duplicate check share.
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
