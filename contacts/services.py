from __future__ import annotations

from typing import Any

from django.db import transaction

from callcenter.audit import audit_log
from contacts.models import Contact, ContactList
from contacts.phones import phone_time_zone


@transaction.atomic
def contact_save(
    *, user: Any, contact: Contact, lists: list[ContactList] | None = None, ip: str | None = None
) -> Contact:
    """Create or update a contact (phone already E.164), inferring its time zone."""
    creating = contact.pk is None
    if not contact.time_zone:
        contact.time_zone = phone_time_zone(contact.phone)
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
