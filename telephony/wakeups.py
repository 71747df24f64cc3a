"""Throttled wake-ups: queue a worker task at most once per `interval` in each process.

Where every write would otherwise queue a task for a worker that is already running (a
webhook burst waking the drainer, each dialed call waking the sandbox pump), one task per
interval is enough, provided the woken worker (1) leaves only after `LINGER` (longer than
any interval) with nothing left to do, and (2) when it finds another holding its lease,
waits up to `LINGER` for it rather than leaving at once. A wake skipped because one was
sent less than `interval` earlier is then always covered: the sent task, or the lease
holder it waited on, takes its last look after the skipped write had committed.

The decision is taken after commit, so a transaction that rolls back never uses up the
wake that a committed one needed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import transaction
from django_q.tasks import async_task

from callcenter.leases import lease_acquire

LINGER = 1.0  # seconds a woken worker stays with nothing to do, and waits for a lease


class Wake:
    def __init__(self, task: str, *, interval: float) -> None:
        if interval >= LINGER:
            raise ValueError("a skipped wake is covered only when interval < LINGER")
        self.task, self.interval = task, interval
        self.last = 0.0  # monotonic time of the last task sent by this process
        self._lock = threading.Lock()  # gunicorn threads share the process's last wake

    def __call__(self) -> None:
        transaction.on_commit(self._send, robust=True)

    def _send(self) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self.last < self.interval:
                return
            self.last = now
        async_task(self.task, group=self.task.rsplit(".", 1)[-1])


def lease_acquire_waiting(
    name: str, *, seconds: float, wait: float = LINGER, sleep: Callable[[float], None] = time.sleep
) -> str | None:
    """`lease_acquire`, retried for up to `wait` seconds while another holds the lease."""
    deadline = time.monotonic() + wait
    while True:
        token = lease_acquire(name, seconds=seconds)
        if token is not None or time.monotonic() >= deadline:
            return token
        sleep(0.1)
