"""django-q2 tasks: thin triggers that carry ids and call services.

Any of them may run twice, late or never; the services they call are idempotent and the
periodic schedules re-derive pending work from the database. Nothing imports this module
(tasks are queued by dotted name through `callcenter.services.jobs.enqueue`), so it may
import every service at the top.
"""

from __future__ import annotations

from django_q.tasks import async_task

from telephony.models import ProviderAccount
from telephony.services import (
    agents,
    inbox,
    masked,
    presence,
    recordings,
    retention,
    sandbox_runtime,
    sync,
)
from telephony.services import inbox_drain as drain


def sandbox_pump() -> int:
    return sandbox_runtime.sandbox_pump()


def recording_fetch(call_id: int) -> None:
    recordings.recording_fetch(call_id=call_id)


def inbox_retry_pending() -> int:
    return inbox.inbox_retry_pending()


def inbox_drain() -> int:
    return drain.inbox_drain()


def sync_account(account_id: int, what: str) -> str:
    account = ProviderAccount.objects.filter(pk=account_id, enabled=True).first()
    return str(sync.account_sync(account=account, what=what)) if account else "account disabled"


def sync_all() -> int:
    """Schedule: one task per enabled account and step (each step holds its own lease)."""
    count = 0
    for account_id in ProviderAccount.objects.filter(enabled=True).values_list("pk", flat=True):
        for what in sync.SYNC_STEPS:
            async_task("telephony.tasks.sync_account", account_id, what, group="sync")
            count += 1
    return count


def extensions_disable_expired() -> int:
    return agents.extensions_disable_expired()


def masked_sessions_expire() -> int:
    return masked.masked_sessions_expire()


def agents_sweep() -> str:
    moved = presence.agents_sweep()
    return f"{moved['ready']} set Ready after wrap-up, {moved['offline']} set Offline"


def retention_purge() -> str:
    # Under the cluster's 90 s task timeout; whatever is left goes at the next run.
    report = retention.retention_purge(time_budget=60)
    return "; ".join(report.lines())
