import json
import time

from django.urls import reverse

from telephony.models import SandboxEvent
from telephony.services.sandbox_runtime import sandbox_deliver


def post_signed_webhook(client, account, payload=None, *, body=None, secret=None, ts=None):
    """POST a sandbox-signed webhook for `account` (a dict `payload`, or raw `body` bytes)."""
    from telephony.providers.sandbox.adapter import sign

    body = body if body is not None else json.dumps(payload).encode()
    ts = ts or int(time.time())
    return client.post(
        reverse("webhook_inbox", args=[account.webhook_token]),
        data=body,
        content_type="application/json",
        headers={
            "X-Sandbox-Signature": sign(body, secret or account.webhook_secrets[0], ts),
            "X-Sandbox-Timestamp": str(ts),
        },
    )


def deliver_next_event() -> SandboxEvent | None:
    """Deliver the next simulated event now, through the inbox, ahead of its due time."""
    event = (
        SandboxEvent.objects.filter(delivered_at__isnull=True)
        .select_related("account")
        .order_by("due_at", "id")
        .first()
    )
    if event is not None:
        sandbox_deliver(event)
    return event


def deliver_all_events() -> int:
    count = 0
    while deliver_next_event():
        count += 1
    return count
