"""Merging what providers say about a call into its row: idempotent and order-tolerant.

A status only moves up in rank (`STATUS_RANK`), so a late `ringing` never reopens a
`completed` call, and a duplicate changes nothing. Fields only fill in (a later event
without a duration does not erase the one we have).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.jobs import enqueue
from telephony.models import Agent, Call, CallEvent
from telephony.providers.base import FINAL_STATUSES, STATUS_RANK, CallStatus, CallUpdate
from telephony.signals import call_finished

_FILL_FIELDS = ("duration_seconds", "dtmf", "amd_result", "recording_url", "summary")
_TIMESTAMP_FOR = {CallStatus.RINGING: "ringing_at", CallStatus.IN_PROGRESS: "answered_at"}


@dataclass
class Merge:
    changed: set[str]
    moved: bool
    became_final: bool
    at: datetime


def merge_update(call: Call, update: CallUpdate) -> Merge:
    """Merge `update` into `call` in memory (no query). The rules of this module's doc."""
    at = update.occurred_at or timezone.now()
    was_final = call.is_final
    moved = STATUS_RANK.get(update.status, 0) > STATUS_RANK.get(call.status, 0)
    changed: set[str] = set()
    if moved:
        call.status = update.status
        call.provider_status = update.provider_status[:64]
        changed |= {"status", "provider_status"}
    stamp = "ended_at" if update.status in FINAL_STATUSES else _TIMESTAMP_FOR.get(update.status)
    if stamp and getattr(call, stamp) is None and (moved or stamp != "ended_at"):
        setattr(call, stamp, at)
        changed.add(stamp)
    for name in _FILL_FIELDS:
        value = getattr(update, name)
        if isinstance(value, str):
            # A provider's over-long value must not fail the save (PostgreSQL enforces it).
            value = value[: Call._meta.get_field(name).max_length]
        # `!=`: a 0 s duration is falsy but already known; re-syncing it is no change.
        if value not in (None, "") and not getattr(call, name) and value != getattr(call, name):
            setattr(call, name, value)
            changed.add(name)
    if update.transcript and not call.transcript:
        call.transcript = update.transcript
        changed.add("transcript")
    if moved and update.raw:
        call.last_payload = dict(update.raw)
        changed.add("last_payload")
    return Merge(changed, moved, call.is_final and not was_final, at)


def timeline_event(call: Call, update: CallUpdate, merge: Merge, *, source: str) -> CallEvent:
    late = not merge.moved and update.status != call.status
    return CallEvent(
        call=call,
        at=merge.at,
        status=update.status,
        provider_status=update.provider_status[:64],
        source=source,
        detail="late event; status kept" if late else "",
    )


def call_apply_update(call: Call, update: CallUpdate, *, source: str) -> bool:
    """Apply `update` to `call` (locked by the caller). Returns True if the status moved."""
    merge = merge_update(call, update)
    if merge.changed:
        call.save(update_fields=sorted(merge.changed))
    timeline_event(call, update, merge, source=source).save()
    if merge.became_final:
        call_on_finished(call)
    return merge.moved


def call_on_finished(call: Call) -> None:
    """Once per call, when it first reaches a final status."""
    audit_log(
        actor=None,
        action=f"call.{call.status}",
        obj=call,
        summary=f"Call {call.pk} to {call.to_number} ended: {call.get_status_display()}",
        data={"duration": call.duration_seconds, "provider_status": call.provider_status},
    )
    if call.agent_id:
        Agent.objects.filter(pk=call.agent_id, state=Agent.State.ON_CALL).update(
            state=Agent.State.WRAP_UP, state_since=timezone.now()
        )
    if call.recording_url:
        enqueue("telephony.tasks.recording_fetch", call.pk)
    transaction.on_commit(lambda: call_finished.send(sender=Call, call=call))


def update_to_json(update: CallUpdate) -> dict:
    data = asdict(update)
    if update.occurred_at:
        data["occurred_at"] = update.occurred_at.isoformat()
    data["status"] = str(update.status)
    return data


def update_from_json(data: dict) -> CallUpdate:
    known = {f.name for f in fields(CallUpdate)}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("occurred_at"):
        values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
    values["status"] = CallStatus(values.get("status") or CallStatus.UNKNOWN)
    return CallUpdate(**values)
