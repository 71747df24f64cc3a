"""Runs the engine every second or so, as one self-re-enqueuing django-q2 task.

django-q2 schedules run at most once a minute, so the task loops for up to
`max_seconds`, then queues its successor while campaigns are running. A DB lease keeps
one engine at a time across every worker (renewed each pass, so a killed engine blocks
its replacement for `CAMPAIGN_ENGINE_LEASE_SECONDS` at most); the one-minute schedule
restarts the chain if a successor is ever lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections

from callcenter.leases import lease_acquire, lease_release, lease_renew
from campaigns.engine import engine_tick
from campaigns.models import Campaign
from telephony.tasks import enqueue

ENGINE_LEASE = "campaign-engine"
IDLE_SLEEP = 1.0  # seconds between passes when the last pass placed nothing
BUSY_SLEEP = 0.1  # between passes while calls are being placed
logger = logging.getLogger(__name__)


def engine_run(
    *, max_seconds: float = 50.0, sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Loop engine passes for up to `max_seconds`; returns totals."""
    seconds = settings.CAMPAIGN_ENGINE_LEASE_SECONDS
    token = lease_acquire(ENGINE_LEASE, seconds=seconds)
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
