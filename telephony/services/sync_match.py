"""Which call a provider's log row is about, when the ids do not say.

A provider may key the calls it places by one id and its log rows by another (IVR
Solutions: `logid` when placed, `recordid` in the logs; its doc never says they are equal).
So a log row is matched to a call we placed:

1. by id: the row's id is the call's provider id or its learned record id (and the
   numbers do not contradict: two id spaces may share a value);
2. else by the number we dialled (and the DID, and the direction, where both sides know
   them), the row's time inside a window around when we placed the call.

Never a guess: a row that could be two calls, or a call that two rows could be, is left
alone and logged with the reason. What the row is then is settled by a later sync, a
webhook, or a person.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from telephony.models import Call, ProviderAccount, WebhookEvent
from telephony.providers.base import STATUS_RANK, CallUpdate, Provider
from telephony.services.inbox import inbox_match_unmatched

logger = logging.getLogger(__name__)


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    failed: int = 0
    waiting: int = 0  # disposition pushes waiting for the call's record id

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.failed} failed"
        return text + (f", {self.waiting} waiting" if self.waiting else "")


#: A row's time may be a little before our created_at (clocks differ) and well after it
#: (the provider queues the call, rings the agent first, dials a scheduled call later).
BEFORE = timedelta(minutes=2)
AFTER = timedelta(minutes=30)
#: Calls we place; inbound and synced rows were created from the provider's own word.
PLACED_TYPES = (
    Call.Type.CLICK_TO_CALL,
    Call.Type.MASKED,
    Call.Type.TTS,
    Call.Type.FLOW,
    Call.Type.VOICEBOT,
)


def same_number(a: str, b: str) -> bool:
    """Equal national numbers (the last 10 digits): the provider may drop the country code."""
    da, db = "".join(filter(str.isdigit, a or "")), "".join(filter(str.isdigit, b or ""))
    return bool(da and db) and da[-10:] == db[-10:]


def contradicts(call: Call, update: CallUpdate) -> bool:
    """The row names another number or DID than the call: not the same call."""
    numbers = (
        call.to_number and update.to_number and not same_number(call.to_number, update.to_number)
    )
    dids = (
        call.did_number
        and update.did_number
        and not same_number(call.did_number, update.did_number)
    )
    return bool(numbers or dids)


def could_be(call: Call, update: CallUpdate) -> bool:
    """The row could be this call by number, DID, direction and time (not by id)."""
    if update.occurred_at is None or not call.to_number:
        return False
    if not call.created_at - BEFORE <= update.occurred_at <= call.created_at + AFTER:
        return False
    if update.direction and update.direction != call.direction:
        return False
    return same_number(call.to_number, update.to_number) and not contradicts(call, update)


@dataclass
class Pairing:
    matched: dict[int, CallUpdate]  # call pk -> its row
    doubtful: set[str]  # ids of rows that could be one of our calls, but not one alone


def pair(calls: Sequence[Call], updates: Iterable[CallUpdate]) -> Pairing:
    """Match calls to rows one to one by `could_be`. A call two rows could be, or a row
    two calls could be, is left (logged, with the candidates): never a guess."""
    rows = list(updates)
    rows_for = {call.pk: [u for u in rows if could_be(call, u)] for call in calls}
    calls_for: dict[str, list[Call]] = {}
    for call in calls:
        for update in rows_for[call.pk]:
            calls_for.setdefault(update.provider_call_id, []).append(call)
    matched: dict[int, CallUpdate] = {}
    for call in calls:
        found = rows_for[call.pk]
        if len(found) > 1:
            ids = ", ".join(sorted(u.provider_call_id for u in found))
            logger.warning(
                "call %s: %d log rows match its number and time (%s); left unmatched, "
                "never guessed",
                call.pk,
                len(found),
                ids,
            )
        elif len(found) == 1:
            rivals = calls_for[found[0].provider_call_id]
            if len(rivals) == 1:
                matched[call.pk] = found[0]
            else:
                logger.warning(
                    "log row %s matches %d calls by number and time (%s); left unmatched, "
                    "never guessed",
                    found[0].provider_call_id,
                    len(rivals),
                    ", ".join(str(c.pk) for c in rivals),
                )
    taken = {u.provider_call_id for u in matched.values()}
    return Pairing(matched, set(calls_for) - taken)


def held_calls(
    account: ProviderAccount, latest: dict[str, CallUpdate]
) -> tuple[dict[str, Call], set[str]]:
    """Rows whose id a call already holds -> that call (locked), and the ids held by a call
    the row cannot be: another record, or other numbers (two id spaces may share a value:
    a recordid equal to another call's logid). Those are logged and left."""
    ids = list(latest)
    held = list(
        Call.objects.select_for_update()
        .filter(account=account)
        .filter(Q(provider_call_id__in=ids) | Q(provider_record_id__in=ids))
        .order_by("pk")
    )
    by_record = {c.provider_record_id: c for c in held if c.provider_record_id}
    by_id = {c.provider_call_id: c for c in held if c.provider_call_id}
    matched, collided = {}, set()
    for rid, update in latest.items():
        call = by_record.get(rid)
        if call is None and rid in by_id:
            call = by_id[rid]
            if call.provider_record_id not in ("", rid) or contradicts(call, update):
                logger.warning(
                    "log row %s of account %s has the id of call %s but is another call "
                    "(record %r, number %s); left unsynced",
                    rid,
                    account.pk,
                    call.pk,
                    call.provider_record_id,
                    update.to_number,
                )
                collided.add(rid)
                continue
        if call is not None:
            matched[rid] = call
    return matched, collided


def placed_without_record(
    account: ProviderAccount, updates: Sequence[CallUpdate], *, exclude: Iterable[int] = ()
) -> list[Call]:
    """Calls we placed that no log row has claimed yet, near these rows' times (locked)."""
    times = [u.occurred_at for u in updates if u.occurred_at is not None]
    if not times:
        return []
    return list(
        Call.objects.select_for_update()
        .filter(
            account=account,
            call_type__in=PLACED_TYPES,
            provider_record_id="",
            created_at__gte=min(times) - AFTER,
            created_at__lte=max(times) + BEFORE,
        )
        .exclude(pk__in=list(exclude))
        .order_by("pk")
    )


def claimed_ids(account: ProviderAccount, ids: Iterable[str]) -> dict[str, int]:
    """Row id -> the call that already holds it (as its provider id or record id)."""
    ids = [i for i in ids if i]
    found: dict[str, int] = {}
    rows = Call.objects.filter(account=account).filter(
        Q(provider_call_id__in=ids) | Q(provider_record_id__in=ids)
    )
    for pk, pid, rid in rows.values_list("pk", "provider_call_id", "provider_record_id"):
        for value in (pid, rid):
            if value:
                found.setdefault(value, pk)
    return found


def payload_record_id(provider: Provider | None, call: Call) -> str:
    """The record id the call's last webhook (its last payload) names, where the provider
    says how to read one (`record_id_of`); "" otherwise."""
    record_id_of = getattr(provider, "record_id_of", None)
    payload = call.last_payload
    return record_id_of(payload) if record_id_of and isinstance(payload, dict) else ""


def placing_id_from_events(provider: Provider, call: Call, record_id: str) -> str:
    """For a call whose placing answer was lost: the placing id its webhooks carry, found
    through their record id (`provider.record_id_of`), or "" when none names it."""
    record_id_of = getattr(provider, "record_id_of", None)
    if record_id_of is None:
        return ""
    events = WebhookEvent.objects.filter(
        account_id=call.account_id,
        state=WebhookEvent.State.UNMATCHED,
        received_at__gte=call.created_at - BEFORE,
    ).exclude(provider_call_id="")
    for event in events.order_by("received_at", "id")[:500]:
        raw = (event.update or {}).get("raw") or {}
        if isinstance(raw, dict) and record_id_of(raw) == record_id:
            return event.provider_call_id
    return ""


def learn_ids(call: Call, record_id: str, provider: Provider | None) -> set[str]:
    """A matched log row names the call's record id; a call whose placing answer was lost
    also takes a provider id: the placing id its waiting webhooks carry, else the row's."""
    learned = set()
    if not call.provider_record_id:
        call.provider_record_id = record_id[:100]
        learned.add("provider_record_id")
    if not call.provider_call_id:
        placing = placing_id_from_events(provider, call, record_id) if provider else ""
        candidate = (placing or record_id)[:100]
        taken = Call.objects.filter(account_id=call.account_id, provider_call_id=candidate)
        if taken.exclude(pk=call.pk).exists():
            logger.warning("call %s: id %s is held by another call; not taken", call.pk, candidate)
        else:
            call.provider_call_id = candidate
            learned.add("provider_call_id")
    return learned


def match_waiting_events(calls: Iterable[Call]) -> None:
    """Apply the webhooks that waited for these calls' provider ids (after commit)."""
    for call in calls:
        inbox_match_unmatched(call)


def better(a: CallUpdate, b: CallUpdate) -> CallUpdate:
    return b if STATUS_RANK.get(b.status, 0) >= STATUS_RANK.get(a.status, 0) else a
