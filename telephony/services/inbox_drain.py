"""The drainer: applies stored webhook events in batches, apart from the request.

Why: applying one event in its request costs ~10 statements and two transactions; under a
provider's burst that caps the web tier near 150 events/s on 2 cores. Stored events are
applied here instead, a batch of up to `BATCH` per transaction: one query for the events,
one for their calls, one pipelined UPDATE per set of changed fields, one INSERT for the
timeline, one UPDATE for the events' states.

Waking without a task per event: a web process enqueues `inbox_drain` at most once per
`WAKE_INTERVAL` (`telephony.services.wakeups`: the drainer lingers `IDLE_SECONDS` with nothing
pending and looks again after releasing its lease, so an event whose wake was skipped is
still seen). The one-minute `inbox-retry-pending` schedule drains whatever a killed worker left
(its batch rolled back, its lease expiring).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_q.tasks import async_task

from callcenter.services.leases import lease_acquire, lease_release, lease_renew
from telephony.models import Call, CallEvent, ProviderAccount, WebhookEvent
from telephony.services.account_events import apply_account_event
from telephony.services.callstate import (
    call_on_finished,
    merge_update,
    timeline_event,
    update_from_json,
)
from telephony.services.wakeups import LINGER, Wake

logger = logging.getLogger(__name__)

DRAIN_LEASE = "inbox-drain"
LEASE_SECONDS = 30
BATCH = 200
WAKE_INTERVAL = 0.25
IDLE_SECONDS = LINGER
POLL_SECONDS = 0.05

# Makes sure a drainer will look soon: a task at most every `WAKE_INTERVAL` per process.
inbox_wake = Wake("telephony.tasks.inbox_drain", interval=WAKE_INTERVAL)


def inbox_drain(
    *,
    max_seconds: float = 60.0,
    idle_seconds: float = IDLE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Apply pending events until none came for `idle_seconds`. Returns events applied."""
    token = lease_acquire(DRAIN_LEASE, seconds=LEASE_SECONDS)
    if token is None:
        return 0  # the holder will see what we were woken for (telephony.services.wakeups)
    applied, started, idle_since, renewed = 0, time.monotonic(), time.monotonic(), 0.0
    try:
        while time.monotonic() - started < max_seconds:
            try:
                ids = _pending_ids(BATCH)
                if ids:
                    applied += inbox_apply_batch(ids)
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since >= idle_seconds:
                    break
                else:
                    sleep(POLL_SECONDS)
                if time.monotonic() - renewed > LEASE_SECONDS / 3:
                    if not lease_renew(DRAIN_LEASE, token, seconds=LEASE_SECONDS):
                        return applied  # our lease expired and another drainer took over
                    renewed = time.monotonic()
            except DatabaseError:
                # A restarting database: keep the lease and try again, as a worker would.
                logger.exception("inbox drain: database error; retrying")
                close_old_connections()
                sleep(0.5)
    finally:
        _release(token)
    if _pending_ids(1):
        # Out of time, or events arrived between our last look and the release.
        async_task("telephony.tasks.inbox_drain", group="inbox_drain")
    return applied


def inbox_apply_batch(ids: list[int]) -> int:
    """Apply these events in one transaction; on any error, one by one. Returns applied."""
    try:
        with transaction.atomic():
            applied, _ = apply_events(ids)
            return len(applied)
    except Exception:
        # One bad event must not hold back the others: apply each alone, which marks the
        # culprit failed (kept, retried by the schedule) and applies the rest.
        logger.exception("inbox batch of %d failed; applying one by one", len(ids))
        # Here, not at the top: inbox imports this module (apply_events, inbox_drain).
        from telephony.services.inbox import event_apply

        return sum(event_apply(pk) == WebhookEvent.State.APPLIED for pk in ids)


def apply_events(
    ids: list[int], *, states: tuple[str, ...] = (WebhookEvent.State.PENDING,)
) -> tuple[list[int], list[int]]:
    """Apply those of these events that are in `states` (inside the caller's transaction):
    the one apply path, for the drainer's batches and for single events alike. Returns
    the ids applied and the ids still waiting for their call (`unmatched`)."""
    events = list(
        WebhookEvent.objects.select_for_update()
        .filter(pk__in=ids, state__in=states)
        .order_by("received_at", "id")
    )
    wanted = {(e.account_id, e.provider_call_id) for e in events if e.provider_call_id}
    calls = {
        (c.account_id, c.provider_call_id): c
        for c in Call.objects.select_for_update(of=("self",))
        .filter(account_id__in={a for a, _ in wanted}, provider_call_id__in={p for _, p in wanted})
        .order_by("pk")  # one lock order for every writer of call rows: no deadlock
    }
    accounts: dict[int, ProviderAccount] = {}
    changed: dict[int, set[str]] = {}
    finished: list[Call] = []
    timeline: list[CallEvent] = []
    applied, unmatched = [], []
    for event in events:
        update = update_from_json(event.update)
        if not update.provider_call_id:
            if event.account_id not in accounts:
                accounts[event.account_id] = ProviderAccount.objects.get(pk=event.account_id)
            note = apply_account_event(accounts[event.account_id], update)[:300]
            WebhookEvent.objects.filter(pk=event.pk).update(error=note)
            applied.append(event.pk)
            continue
        call = calls.get((event.account_id, update.provider_call_id))
        if call is None:
            unmatched.append(event.pk)
            continue
        merge = merge_update(call, update)
        changed.setdefault(call.pk, set()).update(merge.changed)
        timeline.append(timeline_event(call, update, merge, source=CallEvent.Source.WEBHOOK))
        if merge.became_final:
            finished.append(call)
        applied.append(event.pk)
    _save_changed(calls.values(), changed)
    CallEvent.objects.bulk_create(timeline)
    for call in finished:
        call_on_finished(call)
    now = timezone.now()
    WebhookEvent.objects.filter(pk__in=applied).update(
        state=WebhookEvent.State.APPLIED, applied_at=now
    )
    if unmatched:
        WebhookEvent.objects.filter(pk__in=unmatched).update(state=WebhookEvent.State.UNMATCHED)
        waiting = set(unmatched)
        unmatched_cap({e.account_id for e in events if e.pk in waiting})
    return applied, unmatched


def unmatched_cap(account_ids: set[int]) -> int:
    """Keep at most WEBHOOK_UNMATCHED_MAX_PER_ACCOUNT unmatched events per account, the
    newest: an event for a call we have not met is usually about to match, but signed
    events with made-up call ids must not pile up without bound. Returns rows deleted."""
    cap = settings.WEBHOOK_UNMATCHED_MAX_PER_ACCOUNT
    deleted = 0
    for account_id in sorted(account_ids):
        surplus = list(
            WebhookEvent.objects.filter(account_id=account_id, state=WebhookEvent.State.UNMATCHED)
            .order_by("-received_at", "-id")
            .values_list("pk", flat=True)[cap : cap + 1000]
        )
        if surplus:
            deleted += WebhookEvent.objects.filter(pk__in=surplus).delete()[0]
            logger.warning(
                "account %s: over %d unmatched webhook events; dropped the %d oldest",
                account_id,
                cap,
                len(surplus),
            )
    return deleted


def _save_changed(calls: Iterable[Call], changed: dict[int, set[str]]) -> None:
    """Save each call's changed fields: one statement per set of fields, not per call."""
    by_fields: dict[tuple[str, ...], list[Call]] = {}
    for call in calls:
        if changed.get(call.pk):
            by_fields.setdefault(tuple(sorted(changed[call.pk])), []).append(call)
    for names, group in by_fields.items():
        _update_calls(names, group)


def _update_calls(names: tuple[str, ...], calls: list[Call]) -> None:
    """`call.save(update_fields=names)` for many calls in one `executemany` (psycopg
    pipelines it: one round trip). Row-by-row saves were two thirds of the drainer's time
    and Django's `bulk_update` (CASE WHEN per row) cost more Python than it saved. No
    model signal listens to Call saves."""
    fields = [Call._meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    sql = (
        f"UPDATE {qn(Call._meta.db_table)} SET "
        + ", ".join(f"{qn(f.column)} = %s" for f in fields)
        + f" WHERE {qn(Call._meta.pk.column)} = %s"
    )
    rows = [
        [f.get_db_prep_save(getattr(call, f.attname), connection) for f in fields] + [call.pk]
        for call in calls
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _pending_ids(limit: int) -> list[int]:
    return list(
        WebhookEvent.objects.filter(state=WebhookEvent.State.PENDING)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def _release(token: str) -> None:
    try:
        lease_release(DRAIN_LEASE, token)
    except DatabaseError:
        # The lease expires on its own in LEASE_SECONDS; nothing is lost meanwhile.
        logger.exception("inbox drain: could not release its lease")
