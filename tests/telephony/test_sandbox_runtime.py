import pytest
from django.db import OperationalError

from telephony.models import Call, SandboxEvent, WebhookEvent
from telephony.sandbox_runtime import sandbox_deliver
from telephony.services import call_click_to_call
from telephony.services import inbox as inbox_module
from tests.telephony.helpers import deliver_all_events


def test_an_event_whose_delivery_fails_midway_is_delivered_again(agent, contact, monkeypatch):
    """A database that goes away while the inbox applies an event (a PostgreSQL restart)
    must not leave it claimed but never ingested: its call would stay live for hours."""
    contact.phone = "+919876500001"  # always answered: ringing, in_progress, completed
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    first = SandboxEvent.objects.order_by("due_at", "id").first()
    real_receive = inbox_module.inbox_receive

    def receive_then_lose_the_connection(**kwargs):  # noqa: ANN003, ANN202
        real_receive(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(inbox_module, "inbox_receive", receive_then_lose_the_connection)
    with pytest.raises(OperationalError):  # the worker logs it and takes its next pass
        sandbox_deliver(first)
    monkeypatch.undo()
    first.refresh_from_db()
    assert first.delivered_at is None  # claim and ingest rolled back together
    assert not WebhookEvent.objects.filter(account=call.account).exists()

    assert deliver_all_events() == 3
    call.refresh_from_db()
    assert call.status == "completed"
    assert WebhookEvent.objects.filter(account=call.account, state="applied").count() == 3
    assert Call.objects.filter(pk=call.pk, ended_at__isnull=False).exists()
