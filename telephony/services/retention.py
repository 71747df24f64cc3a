"""Retention: finished calls, raw webhook events and recording files older than their
configured number of days are deleted, files from storage too.

Deletion runs in small batches, each its own transaction, selected through the time
indexes: a purge of millions of rows never holds one long lock, and a purge cut short
(the task's time budget, a crash) simply goes on at the next run. A dry run counts what
would go, one query per kind, and deletes nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone

from callcenter.services.audit import audit_log
from telephony.models import Call, Recording, SandboxEvent, WebhookEvent
from telephony.providers.base import FINAL_STATUSES

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass
class PurgeReport:
    dry_run: bool
    cutoffs: dict[str, datetime | None]
    # kind -> rows deleted (or, in a dry run, rows that would be)
    counts: dict[str, int] = field(default_factory=dict)
    oldest: dict[str, datetime | None] = field(default_factory=dict)
    bytes_freed: int = 0
    files_deleted: int = 0
    complete: bool = True  # False when the time budget ran out before the end

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        out = []
        for kind, cutoff in self.cutoffs.items():
            if cutoff is None:
                out.append(f"{kind}: kept for ever (retention 0)")
                continue
            oldest = self.oldest.get(kind)
            since = f", oldest from {oldest:%Y-%m-%d}" if oldest else ""
            out.append(
                f"{kind}: {verb} {self.counts.get(kind, 0)} older than {cutoff:%Y-%m-%d %H:%M} "
                f"UTC{since}"
            )
        out.append(
            f"recording files: {verb} {self.files_deleted} ({self.bytes_freed / 1e6:.1f} MB)"
        )
        if not self.complete:
            out.append("stopped at the time limit; the next run goes on where this one ended")
        return out


def retention_cutoffs(now: datetime) -> dict[str, datetime | None]:
    def before(days: int) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    events = before(settings.RETENTION_EVENT_DAYS)
    hours = settings.WEBHOOK_UNMATCHED_HOURS
    return {
        "recordings": before(settings.RETENTION_RECORDING_DAYS),
        "calls": before(settings.RETENTION_CALL_DAYS),
        "webhook events": events,
        # Events for calls we never learnt of: kept hours, not days (a flood of signed
        # events with made-up call ids would otherwise sit there for the event retention).
        "unmatched webhook events": now - timedelta(hours=hours) if hours > 0 else None,
        # The sandbox's outbox: copies of events already delivered to the inbox.
        "sandbox events": events,
    }


def retention_purge(
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH,
    time_budget: float | None = None,
) -> PurgeReport:
    """Delete (or, dry, count) what is past its retention. Idempotent; resumable."""
    now = now or timezone.now()
    cutoffs = retention_cutoffs(now)
    report = PurgeReport(dry_run=dry_run, cutoffs=cutoffs)
    deadline = time.monotonic() + time_budget if time_budget else None
    # Recordings first: a call past its own retention takes its recording with it anyway.
    targets = [
        ("recordings", _old_recordings, _delete_recordings, "fetched_at"),
        ("calls", _old_calls, _delete_calls, "created_at"),
        ("webhook events", _old_events, _delete_events, "received_at"),
        ("unmatched webhook events", _old_unmatched, _delete_events, "received_at"),
        ("sandbox events", _old_sandbox_events, _delete_sandbox_events, "delivered_at"),
    ]
    for kind, select, delete, time_field in targets:
        cutoff = cutoffs[kind]
        if cutoff is None:
            continue
        qs = select(cutoff)
        report.oldest[kind] = qs.aggregate(oldest=Min(time_field))["oldest"]
        if dry_run:
            _count(kind, qs, report)
            continue
        report.counts[kind] = 0
        while True:
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            report.counts[kind] += delete(ids, report)
            if deadline and time.monotonic() > deadline:
                report.complete = False
                break
        if not report.complete:
            break
    if not dry_run and report.total:
        audit_log(
            actor=None,
            action="retention.purge",
            summary="Retention purge: "
            + ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n),
            data={"counts": report.counts, "files": report.files_deleted},
        )
    return report


def _count(kind: str, qs: QuerySet, report: PurgeReport) -> None:
    """One COUNT per kind, never per row; the files a real run would delete with them."""
    report.counts[kind] = qs.count()
    files = Recording.objects.filter(call__in=qs) if kind == "calls" else None
    if kind == "recordings":
        files = qs
    if files is not None:
        stats = files.exclude(file="").aggregate(n=Count("pk"), size=Sum("size_bytes"))
        report.files_deleted += stats["n"] or 0
        report.bytes_freed += stats["size"] or 0


def _old_recordings(cutoff: datetime) -> QuerySet:
    return Recording.objects.filter(fetched_at__lt=cutoff)


def _old_calls(cutoff: datetime) -> QuerySet:
    # Only finished calls: a live or `unknown` call is still being reconciled.
    return Call.objects.filter(created_at__lt=cutoff, status__in=FINAL_STATUSES)


def _old_events(cutoff: datetime) -> QuerySet:
    return WebhookEvent.objects.filter(received_at__lt=cutoff)


def _old_unmatched(cutoff: datetime) -> QuerySet:
    return WebhookEvent.objects.filter(state=WebhookEvent.State.UNMATCHED, received_at__lt=cutoff)


def _delete_recordings(ids: list[int], report: PurgeReport) -> int:
    rows = list(Recording.objects.filter(pk__in=ids).values_list("call_id", "file", "size_bytes"))
    with transaction.atomic():
        deleted, _ = Recording.objects.filter(pk__in=ids).delete()
        # Without its URL the sync never fetches the purged recording again.
        Call.objects.filter(pk__in=[r[0] for r in rows]).update(recording_url="")
    _delete_files(rows, report)
    return deleted


def _delete_calls(ids: list[int], report: PurgeReport) -> int:
    rows = list(
        Recording.objects.filter(call_id__in=ids).values_list("call_id", "file", "size_bytes")
    )
    with transaction.atomic():
        # Events, recordings and callbacks' links go with the calls (CASCADE / SET NULL).
        _, per_model = Call.objects.filter(pk__in=ids).delete()
    _delete_files(rows, report)
    return per_model.get(Call._meta.label, 0)


def _old_sandbox_events(cutoff: datetime) -> QuerySet:
    return SandboxEvent.objects.filter(delivered_at__lt=cutoff)


def _delete_events(ids: list[int], report: PurgeReport) -> int:
    # A provider redelivering an event this old would be taken as new; none retries that long.
    return WebhookEvent.objects.filter(pk__in=ids).delete()[0]


def _delete_sandbox_events(ids: list[int], report: PurgeReport) -> int:
    return SandboxEvent.objects.filter(pk__in=ids).delete()[0]


def _delete_files(rows: list[tuple], report: PurgeReport) -> None:
    """After the rows are committed: a crash in between leaves a stray file, never a row
    pointing at a missing one."""
    storage = Recording._meta.get_field("file").storage
    for _call_id, name, size in rows:
        if not name:
            continue
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not delete recording file %s", name)
            continue
        report.files_deleted += 1
        report.bytes_freed += size or 0
