"""Delivers the sandbox's simulated events through the inbox when they fall due.

Placing a sandbox call stores its timeline as `SandboxEvent` rows and wakes the pump (a
task at most every `WAKE_INTERVAL` per process, not one per call: `telephony.services.wakeups`).
The pump delivers due events (each claimed by an atomic update, so two pumps never
deliver one event twice), sleeps until the next is due, and exits once none has been left
for `LINGER`. A lease keeps one pump running at a time; a schedule restarts it as a
safety net.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from callcenter.services.jobs import enqueue
from callcenter.services.leases import lease_acquire, lease_release
from telephony.models import ProviderAccount, SandboxEvent
from telephony.providers.base import SimulatedEvent, WebhookRejected
from telephony.providers.sandbox import adapter as sandbox
from telephony.services.inbox import inbox_receive
from telephony.services.wakeups import LINGER, Wake

PUMP_LEASE = "sandbox-pump"
WAKE_INTERVAL = 0.25
POLL_SECONDS = 0.05
logger = logging.getLogger(__name__)

_wake_pump = Wake("telephony.tasks.sandbox_pump", interval=WAKE_INTERVAL)


def sandbox_schedule(
    *, account: ProviderAccount, events: Sequence[SimulatedEvent], now: datetime | None = None
) -> None:
    if not events:
        return
    now = now or timezone.now()
    SandboxEvent.objects.bulk_create(
        SandboxEvent(account=account, due_at=now + timedelta(seconds=e.after), body=e.body.decode())
        for e in events
    )
    _wake_pump()


def sandbox_drop_pending(*, account: ProviderAccount, provider_call_id: str) -> int:
    """A simulated call that was hung up sends nothing more: drop its undelivered events."""
    if not provider_call_id:
        return 0
    # Event bodies are JSON written with sort_keys (providers.sandbox._event_body).
    marker = json.dumps({"call_id": provider_call_id})[1:-1]
    pending = SandboxEvent.objects.filter(
        account=account, delivered_at__isnull=True, body__contains=marker
    )
    return pending.delete()[0]


def sandbox_deliver_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Deliver every event due at `now`; returns how many this call delivered."""
    now = now or timezone.now()
    due = (
        SandboxEvent.objects.filter(delivered_at__isnull=True, due_at__lte=now)
        .select_related("account")
        .order_by("due_at", "id")[:limit]
    )
    return sum(sandbox_deliver(event) for event in list(due))


def sandbox_deliver(event: SandboxEvent) -> bool:
    """Claim and deliver one event; False if another pump already delivered it."""
    body = event.body.encode()
    ts = int(time.time())
    headers = {
        sandbox.SIGNATURE_HEADER: sandbox.sign(body, event.account.webhook_secrets[0], ts),
        sandbox.TIMESTAMP_HEADER: str(ts),
    }
    # Claim and ingest commit together: a database lost in between (a PostgreSQL restart)
    # rolls the claim back and the next pass delivers the event again, as a provider
    # redelivers a webhook that got no 2xx. Claimed apart, the event was lost and its call
    # stayed live until a reconciler asked the provider, hours later for a campaign entry.
    with transaction.atomic():
        claimed = SandboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        if not claimed:
            return False
        try:
            # Inline: the pump is already a worker task, and a journey should see no extra hop.
            inbox_receive(
                token=event.account.webhook_token, body=body, headers=headers, inline=True
            )
        except WebhookRejected as exc:
            # The account was disabled or its secret changed mid-call: the event is dropped
            # exactly as a real provider's delivery would be (inbox_receive counts it).
            logger.info("sandbox event %s rejected by the inbox: %s", event.pk, exc.reason)
    return True


def sandbox_pump(
    *,
    max_seconds: float = 60.0,
    idle_seconds: float = LINGER,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Deliver events as they fall due for up to `max_seconds`, leaving once nothing has
    been left to deliver for `idle_seconds`. Returns events delivered."""
    token = lease_acquire(PUMP_LEASE, seconds=max_seconds + 30)
    if token is None:
        return 0  # the running pump will see what we were woken for (telephony.services.wakeups)
    delivered = 0
    started = idle_since = time.monotonic()
    try:
        while time.monotonic() - started < max_seconds:
            delivered += sandbox_deliver_due()
            nxt = (
                SandboxEvent.objects.filter(delivered_at__isnull=True)
                .order_by("due_at")
                .values_list("due_at", flat=True)
                .first()
            )
            if nxt is None:
                if time.monotonic() - idle_since >= idle_seconds:
                    break
                sleep(POLL_SECONDS)
                continue
            idle_since = time.monotonic()
            wait = (nxt - timezone.now()).total_seconds()
            sleep(min(max(wait, POLL_SECONDS), 0.5))
    finally:
        lease_release(PUMP_LEASE, token)
    # Events scheduled while we were finishing would otherwise wait for the safety net.
    if SandboxEvent.objects.filter(delivered_at__isnull=True).exists():
        enqueue("telephony.tasks.sandbox_pump")
    return delivered
