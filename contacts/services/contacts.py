from __future__ import annotations

from typing import Any

from django.db import transaction

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from common.phones import InvalidPhoneNumber, normalize_phone, phone_time_zone
from contacts.models import Contact, ContactList, DNCEntry


@transaction.atomic
def contact_save(
    *, user: Any, contact: Contact, lists: list[ContactList] | None = None, ip: str | None = None
) -> Contact:
    """Create or update a contact (phone already E.164), inferring its time zone."""
    creating = contact.pk is None
    if not contact.time_zone:
        contact.time_zone = phone_time_zone(contact.phone, fallback="")
    contact.save()
    if lists is not None:
        contact.lists.set(lists)
    audit_log(
        actor=user,
        action="contact.create" if creating else "contact.update",
        obj=contact,
        ip=ip,
        summary=f"{'Created' if creating else 'Updated'} contact {contact.phone}",
    )
    return contact


@transaction.atomic
def dnc_add(
    *,
    user: Any,
    numbers: list[str],
    source: str = "manual",
    reason: str = "",
    region: str = "IN",
    ip: str | None = None,
) -> tuple[int, list[str]]:
    """Put numbers (any format) on the global DNC list. Returns (added, rejected inputs).

    The one way onto the list, automatic additions included (`source`): DND dispositions,
    provider opt-out events, the opt-out key, each with `user=None` (the system) or the
    agent, and a `reason` that the audit row repeats, so every entry says why it is there.
    """

    valid, invalid = [], []
    for raw in numbers:
        if raw.strip():
            try:
                valid.append(normalize_phone(raw, region=region))
            except InvalidPhoneNumber:
                invalid.append(raw.strip())
    if not valid and invalid:
        raise ServiceError(f"None of these is a phone number: {', '.join(invalid[:5])}")
    valid = list(dict.fromkeys(valid))
    existing = set(DNCEntry.objects.filter(phone__in=valid).values_list("phone", flat=True))
    new = [p for p in valid if p not in existing]
    creator = user if getattr(user, "is_authenticated", False) else None
    DNCEntry.objects.bulk_create(
        [DNCEntry(phone=p, source=source, reason=reason[:200], created_by=creator) for p in new],
        ignore_conflicts=True,
    )
    audit_log(
        actor=user,
        action="dnc.add",
        ip=ip,
        summary=f"Added {len(new)} numbers to the do-not-call list ({source})"
        + (f": {reason}" if reason else ""),
        data={"numbers": new[:50], "source": source, "reason": reason[:200]},
    )
    return len(new), invalid


@transaction.atomic
def dnc_remove(*, user: Any, entry: Any, ip: str | None = None) -> None:
    phone = entry.phone
    entry.delete()
    audit_log(actor=user, action="dnc.remove", ip=ip, summary=f"Removed {phone} from the DNC list")


def contact_list_add(
    *, user: Any, contact: Contact, contact_list: ContactList, ip: str | None = None
) -> None:
    contact.lists.add(contact_list)
    audit_log(
        actor=user,
        action="contact.list_add",
        obj=contact,
        ip=ip,
        summary=f"Added {contact.phone} to list {contact_list.name}",
    )


@transaction.atomic
def contact_list_create(*, user: Any, name: str, ip: str | None = None) -> ContactList:
    """The list of that name, created (and audited) when it does not exist yet."""
    name = name.strip()[:120]
    if not name:
        raise ServiceError("Name the new list.")
    creator = user if getattr(user, "is_authenticated", False) else None
    contact_list, created = ContactList.objects.get_or_create(
        name=name, defaults={"created_by": creator}
    )
    if created:
        audit_log(
            actor=user,
            action="contact_list.create",
            obj=contact_list,
            ip=ip,
            summary=f"Created list {name}",
        )
    return contact_list
