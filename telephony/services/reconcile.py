"""Reconciliation: calls stuck in unknown/queued/ringing are settled by what the provider
says, asked in the way its doc allows.

- Details, where the provider has a per-call lookup and we know the call's id.
- Else (or when the details cannot answer) its call logs, for any provider declaring
  CALL_LOGS: by id (the provider id or the record id a log row gave), else by number and
  time around when we placed it, one to one, never a guess (`sync_match`). A call found
  there learns its record id, and a call whose placing answer was lost its provider id.
- An id-less unknown call still not found after GIVE_UP_AFTER is failed; nothing is ever
  redialed automatically.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from telephony.models import Call, CallEvent, ProviderAccount
from telephony.providers.base import (
    ACTIVE_STATUSES,
    CallStatus,
    CallUpdate,
    Capability,
    Provider,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.call_create import call_event_add
from telephony.services.callstate import call_apply_update, call_on_finished
from telephony.services.sync_match import (
    AFTER,
    BEFORE,
    SyncResult,
    better,
    claimed_ids,
    contradicts,
    learn_ids,
    match_waiting_events,
    pair,
    payload_record_id,
)

logger = logging.getLogger(__name__)

RECONCILE_AFTER = timedelta(minutes=3)  # a call still queued/ringing/unknown after this is checked
GIVE_UP_AFTER = timedelta(hours=2)  # an id-less unknown call not found in logs by then failed

#: Stuck calls within this span share one call-log read.
LOG_SPAN = timedelta(hours=6)


def reconcile_calls(*, account: ProviderAccount, now: datetime | None = None) -> SyncResult:
    """Ask the provider about calls stuck in unknown/queued/ringing past a deadline: its
    details where it has them and knows the id; else (or when details cannot answer) its
    call logs, by id (provider id or record id), else by number and time, never a guess."""
    now = now or timezone.now()
    provider = provider_for(account)
    result = SyncResult()
    stuck = Call.objects.filter(
        account=account,
        status__in=[*ACTIVE_STATUSES, CallStatus.UNKNOWN],
        created_at__lt=now - RECONCILE_AFTER,
    ).order_by("created_at")[:200]
    logs = provider.supports(Capability.CALL_LOGS)
    in_logs = _by_details(provider, list(stuck), result, logs=logs)
    for group in _spans(in_logs):
        found: dict[int, CallUpdate] = {}
        if logs:
            try:
                rows = _logs(provider, group[0].created_at - BEFORE, group[-1].created_at + AFTER)
            except ProviderError as exc:
                logger.warning("reconciling %d calls from the logs: %s", len(group), exc.message)
                result.failed += len(group)
                continue
            found = _in_logs(account, provider, group, rows)
        for call in group:
            if call.pk in found:
                _settle(call, found[call.pk], result, provider=provider)
            elif not call.provider_call_id and call.created_at < now - GIVE_UP_AFTER:
                _give_up(call)
                result.updated += 1
    return result


def _by_details(
    provider: Provider, calls: list[Call], result: SyncResult, *, logs: bool
) -> list[Call]:
    """Settle by the provider's details the calls they can answer; returns the others,
    for the call logs (a call the details fail on counts failed where there are none)."""
    details = provider.supports(Capability.CALL_DETAILS)
    in_logs: list[Call] = []
    for call in calls:
        if not (call.provider_call_id and details):
            in_logs.append(call)
            continue
        try:
            update = provider.call_details(call.provider_call_id)
        except ProviderError as exc:
            logger.warning("reconciling call %s: %s", call.pk, exc.message)
            if logs:
                in_logs.append(call)  # the details cannot answer: the logs may
            else:
                result.failed += 1
            continue
        _settle(call, update, result)
    return in_logs


def _spans(calls: list[Call]) -> Iterable[list[Call]]:
    group: list[Call] = []
    for call in calls:  # in created_at order
        if group and call.created_at - group[0].created_at > LOG_SPAN:
            yield group
            group = []
        group.append(call)
    if group:
        yield group


def _logs(provider: Provider, since: datetime, until: datetime) -> list[CallUpdate]:
    return list(provider.call_logs(since=since, until=until))


def _in_logs(
    account: ProviderAccount, provider: Provider, calls: list[Call], rows: Iterable[CallUpdate]
) -> dict[int, CallUpdate]:
    """Call pk -> its log row: by id (provider id or record id), else one to one by
    number and time among the rows no other call holds (`sync_match.pair`)."""
    best: dict[str, CallUpdate] = {}
    for update in rows:
        rid = update.provider_call_id
        if rid:
            best[rid] = better(best[rid], update) if rid in best else update
    claimed = claimed_ids(account, best)
    found: dict[int, CallUpdate] = {}
    for call in calls:
        named = payload_record_id(provider, call)  # by its last webhook
        mine = {call.provider_call_id, call.provider_record_id, named} - {""}
        hits = [
            u
            for rid, u in best.items()
            if rid in mine and claimed.get(rid, call.pk) == call.pk and not contradicts(call, u)
        ]
        if len(hits) == 1:
            found[call.pk] = hits[0]
        elif hits:
            logger.warning("call %s: %d log rows carry its ids; left unmatched", call.pk, len(hits))
    used = {u.provider_call_id for u in found.values()}
    open_rows = [u for rid, u in best.items() if rid not in claimed and rid not in used]
    rest = [
        c
        for c in calls
        if c.pk not in found and not c.provider_record_id and not payload_record_id(provider, c)
    ]
    return found | pair(rest, open_rows).matched


def _settle(
    call: Call, update: CallUpdate, result: SyncResult, *, provider: Provider | None = None
) -> None:
    """Apply what the provider said; from a log row (`provider` given), learn its ids."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        had_id = bool(locked.provider_call_id)
        if provider is not None:
            learned = learn_ids(locked, update.provider_call_id, provider)
        elif not locked.provider_call_id and update.provider_call_id:
            locked.provider_call_id = update.provider_call_id
            learned = {"provider_call_id"}
        else:
            learned = set()
        if learned:
            locked.save(update_fields=sorted(learned))
        if call_apply_update(locked, update, source=CallEvent.Source.SYNC) or learned:
            result.updated += 1
    if not had_id and locked.provider_call_id:
        match_waiting_events([locked])


def _give_up(call: Call) -> None:
    with transaction.atomic():
        updated = Call.objects.filter(pk=call.pk, status=CallStatus.UNKNOWN).update(
            status=CallStatus.FAILED,
            ended_at=timezone.now(),
            error="The provider never confirmed this call and its logs do not show it.",
        )
        if updated:
            call.refresh_from_db()
            call_event_add(
                call=call,
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
