"""django-q2 tasks: thin triggers that carry ids and call services.

Any of them may run twice, late or never; the services they call are idempotent and the
periodic schedules re-derive pending work from the database.
"""

from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task


def enqueue(func: str, *args: object) -> None:
    """Queue `func(*args)` once the current transaction commits (never before).

    `robust`: a broker that is down (Redis restarting) loses this trigger, which the
    schedules make up for, but must neither fail the committed work nor skip the other
    on-commit callbacks (a call's `call_finished` signal, say).
    """
    transaction.on_commit(
        lambda: async_task(func, *args, group=func.rsplit(".", 1)[-1]), robust=True
    )


def sandbox_pump() -> int:
    from telephony.sandbox_runtime import sandbox_pump as pump

    return pump()


def recording_fetch(call_id: int) -> None:
    from telephony.services.recordings import recording_fetch as fetch

    fetch(call_id=call_id)


def inbox_retry_pending() -> int:
    from telephony.services.inbox import inbox_retry_pending as retry

    return retry()


def inbox_drain() -> int:
    from telephony.services.inbox_drain import inbox_drain as drain

    return drain()


def sync_account(account_id: int, what: str) -> str:
    from telephony.models import ProviderAccount
    from telephony.services.sync import account_sync

    account = ProviderAccount.objects.filter(pk=account_id, enabled=True).first()
    return str(account_sync(account=account, what=what)) if account else "account disabled"


def sync_all() -> int:
    """Schedule: one task per enabled account and step (each step holds its own lease)."""
    from django_q.tasks import async_task

    from telephony.models import ProviderAccount
    from telephony.services.sync import SYNC_STEPS

    count = 0
    for account_id in ProviderAccount.objects.filter(enabled=True).values_list("pk", flat=True):
        for what in SYNC_STEPS:
            async_task("telephony.tasks.sync_account", account_id, what, group="sync")
            count += 1
    return count


def extensions_disable_expired() -> int:
    from telephony.services.agents import extensions_disable_expired as disable

    return disable()


def masked_sessions_expire() -> int:
    from telephony.services.masked import masked_sessions_expire as expire

    return expire()


def agents_sweep() -> str:
    from telephony.services.presence import agents_sweep as sweep

    moved = sweep()
    return f"{moved['ready']} set Ready after wrap-up, {moved['offline']} set Offline"


def retention_purge() -> str:
    from telephony.services.retention import retention_purge as purge

    # Under the cluster's 90 s task timeout; whatever is left goes at the next run.
    report = purge(time_budget=60)
    return "; ".join(report.lines())
