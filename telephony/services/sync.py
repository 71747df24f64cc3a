"""Keeping our database true when webhooks are lost: log sync, details and recordings,
disposition push and reconciliation. Every function is idempotent and safe to run twice
at once (bulk upserts tolerate conflicts; per-call work is claimed or re-checked)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from callcenter.errors import ServiceError
from contacts.phones import InvalidPhoneNumber, normalize_phone
from telephony.models import Call, CallEvent, ProviderAccount
from telephony.providers.base import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    STATUS_RANK,
    CallStatus,
    CallUpdate,
    Capability,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.callstate import (
    call_apply_update,
    call_on_finished,
    merge_update,
    timeline_event,
)
from telephony.services.recordings import recording_fetch

logger = logging.getLogger(__name__)

CHUNK = 500
MAX_ATTEMPTS = 5  # recordings and disposition pushes give up after this many failures
RECONCILE_AFTER = timedelta(minutes=3)  # a call still queued/ringing/unknown after this is checked
GIVE_UP_AFTER = timedelta(hours=2)  # an id-less unknown call not found in logs by then failed


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.failed} failed"


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


def _upsert(account: ProviderAccount, updates: list[CallUpdate], result: SyncResult) -> None:
    """One SELECT, one bulk INSERT, one bulk UPDATE and one bulk INSERT of events per chunk."""
    latest: dict[str, CallUpdate] = {}
    for update in updates:  # one row per call: the highest-ranked word wins
        if update.provider_call_id:
            latest.setdefault(update.provider_call_id, update)
            latest[update.provider_call_id] = _better(latest[update.provider_call_id], update)
    with transaction.atomic():
        existing = {
            c.provider_call_id: c
            for c in Call.objects.select_for_update().filter(
                account=account, provider_call_id__in=list(latest)
            )
        }
        new_calls = [_call_from(account, u) for pid, u in latest.items() if pid not in existing]
        Call.objects.bulk_create(new_calls, ignore_conflicts=True)
        changed_calls, fields, events, finished = [], set(), [], []
        for pid, call in existing.items():
            merge = merge_update(call, latest[pid])
            if merge.changed:
                changed_calls.append(call)
                fields |= merge.changed
                events.append(
                    timeline_event(call, latest[pid], merge, source=CallEvent.Source.SYNC)
                )
            if merge.became_final:
                finished.append(call)
        if changed_calls:
            Call.objects.bulk_update(changed_calls, sorted(fields))
        CallEvent.objects.bulk_create(events)
        for call in finished:
            call_on_finished(call)
    result.created += len(new_calls)
    result.updated += len(changed_calls)


def _better(a: CallUpdate, b: CallUpdate) -> CallUpdate:
    return b if STATUS_RANK.get(b.status, 0) >= STATUS_RANK.get(a.status, 0) else a


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
def sync_push_dispositions(*, account: ProviderAccount, limit: int = 200) -> SyncResult:
    provider = provider_for(account)
    result = SyncResult()
    if not provider.supports(Capability.DISPOSITION_PUSH):
        return result
    pending = (
        Call.objects.filter(
            account=account,
            disposition__isnull=False,
            disposition_pushed_at__isnull=True,
            disposition_push_attempts__lt=MAX_ATTEMPTS,
        )
        .exclude(provider_call_id="")
        .select_related("disposition")[:limit]
    )
    for call in list(pending):
        try:
            provider.push_disposition(
                provider_call_id=call.provider_call_id,
                disposition=call.disposition.code,
                note=call.note,
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


# -- reconciliation -------------------------------------------------------------------------
def reconcile_calls(*, account: ProviderAccount, now: datetime | None = None) -> SyncResult:
    """Ask the provider about calls stuck in unknown/queued/ringing past a deadline."""
    now = now or timezone.now()
    provider = provider_for(account)
    result = SyncResult()
    stuck = Call.objects.filter(
        account=account,
        status__in=[*ACTIVE_STATUSES, CallStatus.UNKNOWN],
        created_at__lt=now - RECONCILE_AFTER,
    ).order_by("created_at")[:200]
    for call in list(stuck):
        try:
            update = _find(provider, call)
        except ProviderError as exc:
            logger.warning("reconciling call %s: %s", call.pk, exc.message)
            result.failed += 1
            continue
        if update is None:
            if not call.provider_call_id and call.created_at < now - GIVE_UP_AFTER:
                _give_up(call)
                result.updated += 1
            continue
        with transaction.atomic():
            locked = Call.objects.select_for_update().get(pk=call.pk)
            if not locked.provider_call_id and update.provider_call_id:
                locked.provider_call_id = update.provider_call_id
                locked.save(update_fields=["provider_call_id"])
            if call_apply_update(locked, update, source=CallEvent.Source.SYNC):
                result.updated += 1
    return result


def _find(provider, call: Call) -> CallUpdate | None:  # noqa: ANN001
    """The provider's word on a call: by its id, or (id unknown) by number and time in logs."""
    if call.provider_call_id and provider.supports(Capability.CALL_DETAILS):
        return provider.call_details(call.provider_call_id)
    if not provider.supports(Capability.CALL_LOGS):
        return None
    window = (call.created_at - timedelta(minutes=2), call.created_at + timedelta(minutes=30))
    matches = [u for u in _logs(provider, *window) if _same_number(u.to_number, call.to_number)]
    if call.provider_call_id:
        matches = [u for u in matches if u.provider_call_id == call.provider_call_id]
    return matches[0] if len(matches) == 1 else None  # ambiguous: never guess


def _logs(provider, since: datetime, until: datetime) -> Iterable[CallUpdate]:  # noqa: ANN001
    return list(provider.call_logs(since=since, until=until))


def _same_number(a: str, b: str) -> bool:
    da, db = "".join(filter(str.isdigit, a)), "".join(filter(str.isdigit, b))
    return bool(da and db) and (da[-10:] == db[-10:])


def _give_up(call: Call) -> None:
    from callcenter.audit import audit_log

    with transaction.atomic():
        updated = Call.objects.filter(pk=call.pk, status=CallStatus.UNKNOWN).update(
            status=CallStatus.FAILED,
            ended_at=timezone.now(),
            error="The provider never confirmed this call and its logs do not show it.",
        )
        if updated:
            call.refresh_from_db()
            CallEvent.objects.create(
                call=call,
                at=timezone.now(),
                status=CallStatus.FAILED,
                source=CallEvent.Source.SYNC,
                detail="Not in the provider's logs; marked failed (never redialed automatically).",
            )
            audit_log(
                actor=None,
                action="call.reconciled_failed",
                obj=call,
                summary=f"Call {call.pk} not found at provider",
            )
            call_on_finished(call)


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
    from callcenter.leases import lease_acquire, lease_release

    step = SYNC_STEPS[what]
    if what == "logs" and not provider_for(account).supports(Capability.CALL_LOGS):
        return SyncResult()
    name = f"sync:{account.pk}:{what}"
    token = lease_acquire(name, seconds=300)
    if token is None:
        return SyncResult()  # the same step is already running for this account
    try:
        if what == "logs":
            return sync_call_logs(account=account, since=since)
        return step(account=account)
    finally:
        lease_release(name, token)
