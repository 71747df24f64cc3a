"""Keeping our database true when webhooks are lost: log sync, details and recordings,
disposition push, and (telephony.services.reconcile) reconciliation. Every function is
idempotent and safe to run twice at once (bulk upserts tolerate conflicts; per-call work
is claimed or re-checked). Log rows are matched to the calls we placed by
telephony.services.sync_match, whatever ids each side uses."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from callcenter.services.errors import ServiceError
from callcenter.services.leases import lease_acquire, lease_release
from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.models import Call, CallEvent, ProviderAccount, WebhookEvent
from telephony.providers.base import (
    FINAL_STATUSES,
    CallUpdate,
    Capability,
    Provider,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.callstate import (
    call_apply_update,
    call_on_finished,
    merge_update,
    timeline_event,
)
from telephony.services.reconcile import GIVE_UP_AFTER, RECONCILE_AFTER, reconcile_calls
from telephony.services.recordings import recording_fetch
from telephony.services.sync_match import (
    SyncResult,
    better,
    contradicts,
    held_calls,
    learn_ids,
    match_waiting_events,
    pair,
    payload_record_id,
    placed_without_record,
)

__all__ = ["GIVE_UP_AFTER", "RECONCILE_AFTER", "SyncResult", "account_sync", "reconcile_calls"]

logger = logging.getLogger(__name__)

CHUNK = 500
MAX_ATTEMPTS = 5  # recordings and disposition pushes give up after this many failures


# -- call logs ---------------------------------------------------------------------------------
def sync_call_logs(
    *, account: ProviderAccount, since: datetime | None = None, until: datetime | None = None
) -> SyncResult:
    """Upsert the provider's call log since the last cursor (or `since`), in bulk."""
    provider = provider_for(account)
    if not provider.supports(Capability.CALL_LOGS):
        raise ServiceError(provider.missing_reason(Capability.CALL_LOGS))
    until = until or timezone.now()
    cursor = account.sync_cursor.get("logs_until")
    start = since or (
        datetime.fromisoformat(cursor) - timedelta(minutes=5)
        if cursor
        else until - timedelta(days=1)
    )
    result = SyncResult()
    batch: list[CallUpdate] = []
    for update in provider.call_logs(since=start, until=until):
        batch.append(update)
        if len(batch) >= CHUNK:
            _upsert(account, batch, result)
            batch = []
    if batch:
        _upsert(account, batch, result)
    ProviderAccount.objects.filter(pk=account.pk).update(
        sync_cursor={**account.sync_cursor, "logs_until": until.isoformat()},
        last_sync_at=timezone.now(),
    )
    return result


def _upsert(
    account: ProviderAccount,
    updates: list[CallUpdate],
    result: SyncResult,
    provider: Provider | None = None,
) -> None:
    """One locked SELECT (two when rows need matching by number), one bulk INSERT, one
    bulk UPDATE and one bulk INSERT of events per chunk.

    A row is the call that holds its id (as provider id or record id), else the call we
    placed that it matches by number and time (`sync_match`), else a new call: a placed
    call and its log row are one call whatever ids each side uses.
    """
    latest: dict[str, CallUpdate] = {}
    for update in updates:  # one row per call: the highest-ranked word wins
        if update.provider_call_id:
            latest.setdefault(update.provider_call_id, update)
            latest[update.provider_call_id] = better(latest[update.provider_call_id], update)
    with transaction.atomic():
        matched, left = held_calls(account, latest)
        if any(rid not in matched and rid not in left for rid in latest):
            provider = provider or provider_for(account)
            left |= _match_placed(account, latest, matched, left, provider)
        new_calls = [
            _call_from(account, u)
            for rid, u in latest.items()
            if rid not in matched and rid not in left
        ]
        Call.objects.bulk_create(new_calls, ignore_conflicts=True)
        changed_calls, adopted = _merge_matched(matched, latest, provider)
    match_waiting_events(adopted)
    result.created += len(new_calls)
    result.updated += len(changed_calls)
    result.failed += len(left)


def _match_placed(
    account: ProviderAccount,
    latest: dict[str, CallUpdate],
    matched: dict[str, Call],
    left: set[str],
    provider: Provider,
) -> set[str]:
    """Match the rows no call holds to calls we placed (into `matched`): by the record id
    their webhook named, else one to one by number and time. Returns the ids of rows that
    may be one of two calls we placed, which are not a third call either."""
    rest = [u for rid, u in latest.items() if rid not in matched and rid not in left]
    taken = [c.pk for c in matched.values()]
    placed = placed_without_record(account, rest, exclude=taken)
    # A call whose webhook named its record id is that row, and no other.
    named = {payload_record_id(provider, c): c for c in placed}
    for rid, call in named.items():
        if rid in latest and rid not in matched and not contradicts(call, latest[rid]):
            matched[rid] = call
    unnamed = [c for c in placed if not payload_record_id(provider, c)]
    rest = [u for u in rest if u.provider_call_id not in matched]
    pairing = pair(unnamed, rest)
    by_pk = {c.pk: c for c in unnamed}
    for pk, update in pairing.matched.items():
        matched[update.provider_call_id] = by_pk[pk]
    return pairing.doubtful


def _merge_matched(
    matched: dict[str, Call], latest: dict[str, CallUpdate], provider: Provider | None
) -> tuple[list[Call], list[Call]]:
    """Merge each matched row into its call, in bulk. Returns the calls changed and those
    that learned their provider id (whose waiting webhooks apply after the commit)."""
    changed_calls, fields, events, finished, adopted = [], set(), [], [], []
    for rid, call in matched.items():
        had_id = bool(call.provider_call_id)
        merge = merge_update(call, latest[rid])
        learned = learn_ids(call, rid, provider)
        if merge.changed or learned:
            changed_calls.append(call)
            fields |= merge.changed | learned
        if merge.changed:
            events.append(timeline_event(call, latest[rid], merge, source=CallEvent.Source.SYNC))
        if merge.became_final:
            finished.append(call)
        if not had_id and call.provider_call_id:
            adopted.append(call)
    if changed_calls:
        Call.objects.bulk_update(changed_calls, sorted(fields))
    CallEvent.objects.bulk_create(events)
    for call in finished:
        call_on_finished(call)
    return changed_calls, adopted


def _e164(number: str, region: str) -> str:
    try:
        return normalize_phone(number, region=region) if number else ""
    except InvalidPhoneNumber:
        return number[:20]


def _call_from(account: ProviderAccount, u: CallUpdate) -> Call:
    """A call we never placed (inbound, dialer, made in the provider's portal)."""
    final = u.status in FINAL_STATUSES
    return Call(
        account=account,
        provider_call_id=u.provider_call_id,
        provider_record_id=u.provider_call_id,
        call_type=Call.Type.INBOUND if u.direction == "inbound" else Call.Type.SYNCED,
        direction=Call.Direction.INBOUND if u.direction == "inbound" else Call.Direction.OUTBOUND,
        from_number=_e164(u.from_number, account.default_region),
        to_number=_e164(u.to_number, account.default_region),
        did_number=_e164(u.did_number, account.default_region),
        status=u.status,
        provider_status=u.provider_status[:64],
        ended_at=(u.occurred_at or timezone.now()) if final else None,
        duration_seconds=u.duration_seconds,
        dtmf=u.dtmf[:64],
        recording_url=u.recording_url[:500],
        transcript=u.transcript or [],
        summary=u.summary,
        last_payload=dict(u.raw),
    )


# -- details and recordings of ended calls ----------------------------------------------------
def sync_call_details(*, account: ProviderAccount, limit: int = 200) -> SyncResult:
    """Fetch details (transcript, summary, recording URL) of ended calls, once each."""
    provider = provider_for(account)
    result = SyncResult()
    if not provider.supports(Capability.CALL_DETAILS):
        return result
    calls = Call.objects.filter(
        account=account, status__in=FINAL_STATUSES, details_fetched_at__isnull=True
    ).exclude(provider_call_id="")[:limit]
    for call in list(calls):
        try:
            update = provider.call_details(call.provider_call_id)
        except ProviderError as exc:
            logger.warning("details of call %s: %s", call.pk, exc.message)
            result.failed += 1
            continue
        with transaction.atomic():
            locked = Call.objects.select_for_update().get(pk=call.pk)
            call_apply_update(locked, update, source=CallEvent.Source.SYNC)
            Call.objects.filter(pk=call.pk).update(details_fetched_at=timezone.now())
        result.updated += 1
    return result


def sync_recordings(*, account: ProviderAccount, limit: int = 100) -> SyncResult:
    result = SyncResult()
    calls = (
        Call.objects.filter(
            account=account, recording__isnull=True, recording_attempts__lt=MAX_ATTEMPTS
        )
        .exclude(recording_url="")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in list(calls):
        try:
            recording_fetch(call_id=pk)
            result.created += 1
        except (ProviderError, ServiceError) as exc:
            # A refused host never becomes fetchable: stop trying at once.
            attempts = (
                MAX_ATTEMPTS if isinstance(exc, ServiceError) else F("recording_attempts") + 1
            )
            Call.objects.filter(pk=pk).update(recording_attempts=attempts)
            logger.warning("recording of call %s: %s", pk, getattr(exc, "message", exc))
            result.failed += 1
    return result


# -- disposition push -----------------------------------------------------------------------
#: Shown on the call page while the provider's record id of the call is unknown.
RECORD_ID_WAITING = (
    "Record id not known yet: this provider notes a call by the record id of its log row "
    "or webhook. The disposition is sent at the next sync that knows it."
)


def sync_push_dispositions(*, account: ProviderAccount, limit: int = 200) -> SyncResult:
    """Send saved dispositions. A provider that notes calls by their record id
    (`disposition_needs_record_id`) waits for one (from a matched log row, or a webhook of
    the call); a waiting push costs no attempt and is not lost."""
    provider = provider_for(account)
    result = SyncResult()
    if not provider.supports(Capability.DISPOSITION_PUSH):
        return result
    by_record = provider.disposition_needs_record_id
    pending = (
        Call.objects.filter(
            account=account,
            disposition__isnull=False,
            disposition_pushed_at__isnull=True,
            disposition_push_attempts__lt=MAX_ATTEMPTS,
        )
        .exclude(provider_call_id="", provider_record_id="")
        .select_related("disposition")[:limit]
    )
    for call in list(pending):
        kwargs = {"provider_call_id": call.provider_call_id}
        if by_record:
            record = call.provider_record_id or _record_from_webhooks(provider, call)
            if not record:
                Call.objects.filter(pk=call.pk).update(disposition_push_error=RECORD_ID_WAITING)
                result.waiting += 1
                continue
            if not call.provider_record_id:
                Call.objects.filter(pk=call.pk).update(provider_record_id=record[:100])
            kind = call.direction if call.call_type == Call.Type.SYNCED else call.call_type
            kwargs = {"provider_call_id": record, "call_type": kind}
        try:
            provider.push_disposition(
                disposition=call.disposition.code_for(account.pk), note=call.note, **kwargs
            )
        except ProviderError as exc:
            attempts = MAX_ATTEMPTS if exc.permanent else F("disposition_push_attempts") + 1
            Call.objects.filter(pk=call.pk).update(
                disposition_push_attempts=attempts, disposition_push_error=exc.message[:300]
            )
            result.failed += 1
            continue
        Call.objects.filter(pk=call.pk).update(
            disposition_pushed_at=timezone.now(), disposition_push_error=""
        )
        result.updated += 1
    return result


def _record_from_webhooks(provider: Provider, call: Call) -> str:
    """The record id the call's last payload or its stored webhooks carry, or ""."""
    record_id_of = provider.record_id_of
    payloads = [call.last_payload]
    if call.provider_call_id:
        events = WebhookEvent.objects.filter(
            account_id=call.account_id, provider_call_id=call.provider_call_id
        ).order_by("-received_at")
        payloads += [(u or {}).get("raw") for u in events.values_list("update", flat=True)[:50]]
    for payload in payloads:
        if isinstance(payload, dict) and (found := record_id_of(payload)):
            return found
    return ""


def sync_credits(*, account: ProviderAccount) -> SyncResult:
    """Refresh the balance shown on the wallboard and the low-credit alert."""
    provider = provider_for(account)
    if not provider.supports(Capability.CREDITS):
        return SyncResult()
    credits = provider.credits()
    ProviderAccount.objects.filter(pk=account.pk).update(
        credits_balance=credits.balance, credits_checked_at=timezone.now()
    )
    return SyncResult(updated=1)


SYNC_STEPS = {
    "logs": sync_call_logs,
    "details": sync_call_details,
    "recordings": sync_recordings,
    "dispositions": sync_push_dispositions,
    "reconcile": reconcile_calls,
    "credits": sync_credits,
}


def account_sync(
    *, account: ProviderAccount, what: str, since: datetime | None = None
) -> SyncResult:
    """Run one sync step for an account, skipping steps its provider cannot do."""
    step = SYNC_STEPS[what]
    if what == "logs" and not provider_for(account).supports(Capability.CALL_LOGS):
        return SyncResult()
    name = f"sync:{account.pk}:{what}"
    token = lease_acquire(name, seconds=300)
    if token is None:
        return SyncResult()  # the same step is already running for this account
    try:
        if what == "logs":
            result = sync_call_logs(account=account, since=since)
        else:
            result = step(account=account)
    except (ProviderError, ServiceError) as exc:
        _sync_failed(account, what, getattr(exc, "message", str(exc)))
        raise
    finally:
        lease_release(name, token)
    ProviderAccount.objects.filter(pk=account.pk).exclude(sync_failures=0).update(sync_failures=0)
    return result


def _sync_failed(account: ProviderAccount, what: str, message: str) -> None:
    """Every failed step is counted and kept with its message, for the account page, the
    accounts list and the wallboard (whose banner shows after SYNC_FAILURE_BANNER)."""
    now = timezone.now()
    text = f"Sync of {what}: {message}"[:300]
    ProviderAccount.objects.filter(pk=account.pk).update(
        sync_failures=F("sync_failures") + 1,
        last_sync_error=text,
        last_sync_error_at=now,
        errors_count=F("errors_count") + 1,
        last_error=text,
        last_error_at=now,
    )
    logger.warning("account %s: %s", account.pk, text)
