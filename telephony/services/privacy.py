"""A person's data on request: export it (JSON + recordings, zipped) or erase it.

Erasure keeps every row so counts, campaign progress and the audit trail still add up,
but blanks what identifies or describes the person: the contact's fields, the numbers,
notes, transcripts and summaries of their calls, the raw webhook bodies of those calls,
and their recordings (rows and files). The number stays un-callable as a keyed hash
(`contacts.ErasedNumber`), which every dial-time DNC check consults.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from contacts.models import Contact, DNCEntry, ErasedNumber
from contacts.services.dnc import is_dnc, number_hash
from telephony.models import Call, MaskedSession, Recording, WebhookEvent
from telephony.signals import contact_erased

logger = logging.getLogger(__name__)
CHUNK = 500  # ids per UPDATE, well under every database's parameter limit
IN_MEMORY_BYTES = 8 * 1024 * 1024  # larger exports spill to a temporary file


# -- export -------------------------------------------------------------------------------------
def contact_export(*, user: Any, contact: Contact, ip: str | None = None) -> tuple[str, IO]:
    """A zip of everything we hold about the contact; returns (file name, open file)."""
    calls = list(_contact_calls(contact).select_related("agent__user", "disposition"))
    recordings = {r.call_id: r for r in Recording.objects.filter(call__in=calls)}
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - returned open
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        call_rows = []
        for call in calls:
            recording = recordings.get(call.pk)
            name = _recording_name(recording) if recording else None
            if recording and _copy_into(zipped, recording, name):
                call_rows.append(_call_row(call, name))
            else:
                call_rows.append(_call_row(call, None))
        document = {
            "exported_at": timezone.now(),
            "contact": _contact_row(contact),
            "do_not_call": bool(contact.phone) and is_dnc(contact.phone),
            "calls": call_rows,
            "callbacks": list(
                contact.callbacks.values("due_at", "status", "note", "created_at", "closed_at")
            ),
        }
        text = json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        zipped.writestr("contact.json", text)
    archive.seek(0)
    audit_log(
        actor=user,
        action="contact.export",
        obj=contact,
        ip=ip,
        summary=f"Exported contact {contact.pk} ({len(calls)} calls, {len(recordings)} recordings)",
    )
    return f"contact-{contact.pk}.zip", archive


def _contact_calls(contact: Contact):
    """The contact's calls, and calls with its number not linked to it (inbound, synced)."""
    match = Q(contact=contact)
    if contact.phone:
        match |= Q(to_number=contact.phone) | Q(from_number=contact.phone)
    return Call.objects.filter(match).order_by("created_at", "id")


def _recording_name(recording: Recording) -> str:
    return f"recordings/call-{recording.call_id}-{recording.file.name.rsplit('/', 1)[-1]}"


def _copy_into(zipped: zipfile.ZipFile, recording: Recording, name: str) -> bool:
    """Audio is already compressed: stored as is. A missing file is noted, not fatal."""
    try:
        with recording.file.open("rb") as source, zipped.open(name, "w") as target:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                target.write(chunk)
    except OSError:
        logger.warning("recording file of call %s is missing; export goes on", recording.call_id)
        return False
    return True


def _contact_row(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "time_zone": contact.time_zone,
        "variables": contact.variables,
        "opted_out": contact.opted_out,
        "opted_out_at": contact.opted_out_at,
        "lists": list(contact.lists.values_list("name", flat=True)),
        "assigned_to": contact.assigned_to.get_username() if contact.assigned_to else None,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
        "erased_at": contact.erased_at,
    }


def _call_row(call: Call, recording: str | None) -> dict:
    return {
        "id": call.pk,
        "created_at": call.created_at,
        "type": call.call_type,
        "direction": call.direction,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "status": call.status,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "duration_seconds": call.duration_seconds,
        "dtmf": call.dtmf,
        "agent": call.agent.user.get_username() if call.agent else None,
        "disposition": call.disposition.label if call.disposition else None,
        "note": call.note,
        "transcript": call.transcript,
        "summary": call.summary,
        "insights": call.insights,
        "recording": recording,
    }


# -- erase --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Erasure:
    calls: int
    recordings: int
    events: int


def contact_erase(*, user: Any, contact: Contact, ip: str | None = None) -> Erasure:
    """Erase the contact's personal data; the number stays un-callable as a hash."""
    if contact.erased_at:
        raise ServiceError("This contact has already been erased.")
    phone = contact.phone
    files: list[str] = []
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        call_ids = list(_contact_calls(contact).values_list("pk", flat=True))
        if phone:
            ErasedNumber.objects.get_or_create(phone_hash=number_hash(phone))
            DNCEntry.objects.filter(phone=phone).delete()  # the hash replaces it
            MaskedSession.objects.filter(party_a=phone).update(party_a="")
            MaskedSession.objects.filter(party_b=phone).update(party_b="")
        recordings = Recording.objects.filter(call_id__in=call_ids)
        files = [name for name in recordings.values_list("file", flat=True) if name]
        recording_count = recordings.delete()[1].get(Recording._meta.label, 0)
        events = sum(_scrub_events(ids) for ids in _chunks(call_ids))
        for ids in _chunks(call_ids):
            _scrub_calls(ids, contact, phone)
        contact.callbacks.update(note="")
        _blank_contact(contact)
        contact_erased.send(sender=Contact, contact=contact, phone=phone)
        audit_log(
            actor=user,
            action="contact.erase",
            obj=contact,
            ip=ip,
            summary=(
                f"Erased contact {contact.pk}: {len(call_ids)} calls, "
                f"{recording_count} recordings; the number stays do-not-call as a hash"
            ),
        )
        # Files go only once the rows are gone for good: a rollback must not lose audio.
        transaction.on_commit(lambda: _delete_files(files))
    return Erasure(calls=len(call_ids), recordings=recording_count, events=events)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _scrub_calls(ids: list[int], contact: Contact, phone: str) -> None:
    calls = Call.objects.filter(pk__in=ids)
    if phone:
        calls.filter(to_number=phone).update(to_number="")
        calls.filter(from_number=phone).update(from_number="")
    # The customer's side of the contact's calls, whatever number it had back then.
    calls.filter(contact=contact, direction=Call.Direction.OUTBOUND).update(to_number="")
    calls.filter(contact=contact, direction=Call.Direction.INBOUND).update(from_number="")
    calls.update(
        note="",
        transcript=[],
        summary="",
        insights={},
        dtmf="",
        last_payload={},
        recording_url="",
        # A details fetch would copy the transcript back from the provider.
        details_fetched_at=Coalesce("details_fetched_at", timezone.now()),
    )


def _scrub_events(ids: list[int]) -> int:
    """Blank the raw bodies of the calls' webhook events. The rows and their dedupe keys
    stay, so a provider redelivering one is still a duplicate and refills nothing."""
    pairs = Call.objects.filter(pk__in=ids).exclude(provider_call_id="")
    total = 0
    for account_id, provider_ids in _by_account(
        pairs.values_list("account_id", "provider_call_id")
    ):
        events = WebhookEvent.objects.filter(
            account_id=account_id, provider_call_id__in=provider_ids
        )
        events.exclude(state=WebhookEvent.State.APPLIED).update(
            state=WebhookEvent.State.APPLIED,
            applied_at=timezone.now(),
            error="erased with its contact before it was applied",
        )
        total += events.update(body="", update={})
    return total


def _by_account(rows: Any) -> Iterator[tuple[int, list[str]]]:
    grouped: dict[int, list[str]] = {}
    for account_id, provider_call_id in rows:
        grouped.setdefault(account_id, []).append(provider_call_id)
    yield from grouped.items()


def _blank_contact(contact: Contact) -> None:
    now = timezone.now()
    contact.lists.clear()
    Contact.objects.filter(pk=contact.pk).update(
        name="",
        phone="",
        email="",
        time_zone="",
        variables={},
        opted_out=True,
        opted_out_at=contact.opted_out_at or now,
        erased_at=now,
        updated_at=now,
    )
    contact.refresh_from_db()


def _delete_files(names: list[str]) -> None:
    storage = Recording._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not delete erased recording file %s", name)
