from telephony.models import SandboxEvent
from telephony.sandbox_runtime import sandbox_deliver


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
