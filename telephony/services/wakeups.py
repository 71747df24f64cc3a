"""Throttled wake-ups: queue a worker task at most once per `interval` in each process.

Where every write would otherwise queue a task for a worker that is already running (a
webhook burst waking the drainer, each dialed call waking the sandbox pump), one task per
interval is enough, provided the woken worker holds a lease, leaves only after `LINGER`
(longer than any interval) without finding work, and after releasing its lease looks once
more and queues a successor if work is left. A write whose wake was skipped then is
always seen, because it came less than `interval` after a write X whose wake was sent:

- the task woken for X takes the lease: it looks for at least `LINGER` from its start,
  which is after X, so past the skipped write;
- or it finds the lease held and leaves at once (it must not hold a worker waiting):
  the holder either looks again after X committed, finds work and so lingers past the
  skipped write, or was already leaving, and then its look after releasing finds X
  still there and queues a successor, which starts after X and lingers past the skip.

The decision is taken after commit, so a transaction that rolls back never uses up the
wake that a committed one needed. A task lost with its broker is made up for by the
one-minute schedules.
"""

from __future__ import annotations

import threading
import time

from django.db import transaction
from django_q.tasks import async_task

LINGER = 1.0  # seconds a woken worker stays with nothing to do before it leaves


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
