"""Queueing background work: the one door every app uses to reach django-q2.

It lives here, not in an app's tasks.py, so a service can queue a task without importing
the tasks module that imports services back (that circle forced function-level imports).
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
