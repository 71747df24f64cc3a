"""Turning CSV records into contacts, one atomic batch at a time (see importer.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from contacts.importer import ERRORS_KEPT_ON_PAGE, row_phone, row_zone, validate_cell_email
from contacts.models import Contact, ImportJob

NAME_MAX = Contact._meta.get_field("name").max_length
# The validator allows 320 characters; the column holds fewer (PostgreSQL would refuse the
# whole batch).
EMAIL_MAX = Contact._meta.get_field("email").max_length


class RowImporter:
    def __init__(self, job: ImportJob):
        self.job = job
        self.header = job.header
        self.roles = [job.mapping.get(column, "ignore") for column in self.header]
        self.errors: list[tuple[int, str, str]] = []
        # Numbers already in the list (duplicates against the list) and those this file
        # has given so far (duplicates within the file), both -> contact id.
        self.known: dict[str, int] = dict(
            Contact.objects.filter(lists=job.contact_list).values_list("phone", "id")
        )
        self.policy = job.duplicates
        self._zones: dict[str, bool] = {}

    # -- one batch ---------------------------------------------------------------------------
    def commit_batch(self, records: list[list[str]], *, first_row: int) -> None:
        creates: dict[str, list[Contact]] = {}
        updates: dict[int, dict] = {}
        errors: list[tuple[int, str, str]] = []
        skipped = 0
        for offset, record in enumerate(records):
            parsed = self._parse(record, first_row + offset, errors)
            if parsed is None:
                continue
            phone = parsed["phone"]
            if self.policy != ImportJob.Duplicates.KEEP and phone in creates:
                if self.policy == ImportJob.Duplicates.UPDATE:
                    _apply(creates[phone][-1], parsed)
                else:
                    skipped += 1
                continue
            if self.policy != ImportJob.Duplicates.KEEP and phone in self.known:
                if self.policy == ImportJob.Duplicates.UPDATE:
                    _merge(updates.setdefault(self.known[phone], {}), parsed)
                else:
                    skipped += 1
                continue
            contact = Contact(phone=phone)
            _apply(contact, parsed)
            creates.setdefault(phone, []).append(contact)
        with transaction.atomic():
            new = Contact.objects.bulk_create([c for group in creates.values() for c in group])
            through = Contact.lists.through
            through.objects.bulk_create(
                [through(contact_id=c.pk, contactlist_id=self.job.contact_list_id) for c in new]
            )
            updated = self._update(updates)
            ImportJob.objects.filter(pk=self.job.pk).update(
                processed_rows=F("processed_rows") + len(records),
                created_count=F("created_count") + len(new),
                updated_count=F("updated_count") + updated,
                skipped_count=F("skipped_count") + skipped,
                error_count=F("error_count") + len(errors),
                heartbeat_at=timezone.now(),
            )
            if errors and len(self.errors) < ERRORS_KEPT_ON_PAGE:
                page = [list(e) for e in (self.errors + errors)[:ERRORS_KEPT_ON_PAGE]]
                ImportJob.objects.filter(pk=self.job.pk).update(errors_preview=page)
        # Only after commit: a rolled-back batch must not count as seen.
        for contact in new:
            self.known.setdefault(contact.phone, contact.pk)
        self.errors.extend(errors)

    def _update(self, updates: dict[int, dict]) -> int:
        if not updates:
            return 0
        contacts = list(Contact.objects.filter(pk__in=updates))
        for contact in contacts:
            _apply(contact, updates[contact.pk])
        Contact.objects.bulk_update(
            contacts, ["name", "email", "time_zone", "variables", "updated_at"], batch_size=500
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
    for field in ("name", "email", "time_zone"):
        if values.get(field):
            setattr(contact, field, values[field])
    if values.get("variables"):
        contact.variables = {**(contact.variables or {}), **values["variables"]}
    contact.updated_at = timezone.now()


def _merge(into: dict, values: dict) -> None:
    variables = {**into.get("variables", {}), **values.get("variables", {})}
    into.update({k: v for k, v in values.items() if v and k != "variables"})
    into["variables"] = variables
