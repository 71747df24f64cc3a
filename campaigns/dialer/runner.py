"""Runs the engine every second or so, as one self-re-enqueuing django-q2 task.

django-q2 schedules run at most once a minute, so the task loops for up to
`max_seconds`, then queues its successor while campaigns are running. A DB lease keeps
one engine at a time across every worker (renewed each pass, so a killed engine blocks
its replacement for `CAMPAIGN_ENGINE_LEASE_SECONDS` at most); the one-minute schedule
restarts the chain if a successor is ever lost, and a run that finds a dead engine's lease
waits for it to expire rather than leaving (`engine_take_over`). After every worker is
killed, dialing therefore resumes within about a minute (the schedule's period, the lease
expiring inside it), plus the time the cluster takes to restart its workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from callcenter.services.jobs import enqueue
from callcenter.services.leases import Lease, lease_acquire, lease_release, lease_renew
from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign

ENGINE_LEASE = "campaign-engine"
IDLE_SLEEP = 1.0  # seconds between passes when the last pass placed nothing
BUSY_SLEEP = 0.1  # between passes while calls are being placed
WATCH_STEP = 1.0  # how often a run finding the lease held looks whether it is renewed
logger = logging.getLogger(__name__)


def engine_take_over(*, seconds: float, sleep: Callable[[float], None]) -> str | None:
    """Take the lease of a dead engine as soon as it expires; leave a live one alone.

    A live engine renews its lease every pass (about a second; a slow pass a little more),
    a killed one never again. Skipping at once, as a run that finds the lease held used to,
    left a killed engine's lease to block the one-minute schedule's run, and the next one
    came a minute later: two minutes without dialing after every worker was SIGKILLed. So
    the run watches `until`: moved = a live engine, leave; expired = take over.
    """
    first = _lease_until()
    deadline = time.monotonic() + seconds + WATCH_STEP
    while first is not None and time.monotonic() < deadline:
        sleep(WATCH_STEP)
        until = _lease_until()
        if until is not None and until != first and until > timezone.now():
            return None  # renewed meanwhile: its holder is alive
        if until is None or until <= timezone.now():
            break
    return lease_acquire(ENGINE_LEASE, seconds=seconds)


def _lease_until():
    return Lease.objects.filter(name=ENGINE_LEASE).values_list("until", flat=True).first()


def engine_run(
    *, max_seconds: float = 50.0, sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Loop engine passes for up to `max_seconds`; returns totals."""
    seconds = settings.CAMPAIGN_ENGINE_LEASE_SECONDS
    token = lease_acquire(ENGINE_LEASE, seconds=seconds) or engine_take_over(
        seconds=seconds, sleep=sleep
    )
    if token is None:
        return {"skipped": 1}  # another engine is running
    totals = {"passes": 0, "dialed": 0, "completed": 0}
    deadline = time.monotonic() + max_seconds
    try:
        while time.monotonic() < deadline:
            result = engine_tick()
            totals["passes"] += 1
            totals["dialed"] += result.dialed
            totals["completed"] += result.completed
            if not result.running or not lease_renew(ENGINE_LEASE, token, seconds=seconds):
                break
            sleep(BUSY_SLEEP if result.dialed else IDLE_SLEEP)
            close_old_connections()
    finally:
        lease_release(ENGINE_LEASE, token)
    if Campaign.objects.filter(status=Campaign.Status.RUNNING).exists():
        enqueue("campaigns.tasks.engine_run")
    return totals
