"""Callbacks ("call back later") and the wrap-up that may schedule one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from contacts.models import Contact
from telephony.models import Agent, Call, Callback, Disposition
from telephony.services.calls import call_set_disposition


def callback_schedule(
    *,
    user: Any,
    contact: Contact,
    due_at: datetime,
    agent: Agent | None = None,
    call: Call | None = None,
    note: str = "",
    ip: str | None = None,
) -> Callback:
    """Schedule a callback for `agent`, or for anyone on the team when `agent` is None."""
    if due_at <= timezone.now() - timedelta(minutes=1):
        raise ServiceError("Choose a time in the future for the callback.", field="callback_at")
    callback = Callback.objects.create(
        contact=contact,
        call=call,
        agent=agent,
        due_at=due_at,
        note=note.strip()[:300],
        created_by=user,
    )
    audit_log(
        actor=user,
        action="callback.schedule",
        obj=callback,
        ip=ip,
        summary=f"Callback to {contact.phone} at {due_at:%Y-%m-%d %H:%M} UTC for "
        + (str(agent) if agent else "anyone"),
    )
    return callback


def callback_close(
    *, user: Any, callback: Callback, status: str, ip: str | None = None
) -> Callback:
    """Mark a pending callback done or canceled (a closed one stays as it is)."""
    if status not in (Callback.Status.DONE, Callback.Status.CANCELED):
        raise ServiceError("A callback can only be marked done or canceled.")
    claimed = Callback.objects.filter(pk=callback.pk, status=Callback.Status.PENDING).update(
        status=status, closed_at=timezone.now()
    )
    if not claimed:
        raise ServiceError("This callback was already closed.")
    callback.refresh_from_db()
    audit_log(
        actor=user,
        action=f"callback.{status}",
        obj=callback,
        ip=ip,
        summary=f"Callback to {callback.contact.phone} marked {callback.get_status_display()}",
    )
    return callback


@transaction.atomic
def call_wrap_up(
    *,
    user: Any,
    call: Call,
    disposition: Disposition,
    note: str,
    callback_at: datetime | None = None,
    callback_for_anyone: bool = False,
    ip: str | None = None,
) -> Call:
    """Save the disposition; a "call back later" one schedules the callback with it."""
    if disposition.schedules_callback and callback_at is None:
        raise ServiceError("Choose when to call back.", field="callback_at")
    call = call_set_disposition(user=user, call=call, disposition=disposition, note=note, ip=ip)
    if disposition.schedules_callback:
        if call.contact is None:
            raise ServiceError("This call has no contact to call back.")
        callback_schedule(
            user=user,
            contact=call.contact,
            due_at=callback_at,
            agent=None if callback_for_anyone else call.agent,
            call=call,
            note=note,
            ip=ip,
        )
    return call
