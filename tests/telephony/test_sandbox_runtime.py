import json
import time

import pytest
from django.db import OperationalError, transaction
from django_q.brokers import get_broker

from callcenter.services.leases import lease_acquire
from telephony.models import Call, SandboxEvent, WebhookEvent
from telephony.providers.types import SimulatedEvent
from telephony.services import call_click_to_call
from telephony.services import inbox as inbox_module
from telephony.services import sandbox_runtime as runtime
from telephony.services.sandbox_runtime import (
    PUMP_LEASE,
    sandbox_deliver,
    sandbox_pump,
    sandbox_schedule,
)
from tests.telephony.helpers import deliver_all_events


def test_an_event_whose_delivery_fails_midway_is_delivered_again(agent, contact, monkeypatch):
    """A database that goes away while the inbox applies an event (a PostgreSQL restart)
    must not leave it claimed but never ingested: its call would stay live for hours."""
    contact.phone = "+919876500001"  # always answered: ringing, in_progress, completed
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    first = SandboxEvent.objects.order_by("due_at", "id").first()
    real_receive = inbox_module.inbox_receive

    def receive_then_lose_the_connection(**kwargs):
        real_receive(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(runtime, "inbox_receive", receive_then_lose_the_connection)
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


def _event(call_id: str = "sbx-unknown") -> SimulatedEvent:
    body = {"event_id": f"{call_id}:0", "call_id": call_id, "event": "ringing", "at": "now"}
    return SimulatedEvent(after=0, body=json.dumps(body).encode())


@pytest.fixture
def _no_recent_wake(monkeypatch):
    monkeypatch.setattr(runtime._wake_pump, "last", 0.0)


@pytest.mark.usefixtures("_no_recent_wake")
def test_calls_placed_together_wake_the_pump_once(account, django_capture_on_commit_callbacks):
    broker = get_broker()
    before = broker.queue_size()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            sandbox_schedule(account=account, events=[_event(f"sbx-{i}")])
    assert SandboxEvent.objects.count() == 5
    assert broker.queue_size() == before + 1


@pytest.mark.usefixtures("_no_recent_wake")
def test_a_rolled_back_schedule_does_not_use_up_the_wake(
    account, django_capture_on_commit_callbacks
):
    broker = get_broker()
    before = broker.queue_size()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            sandbox_schedule(account=account, events=[_event("sbx-rolled-back")])
            raise RuntimeError("the placing transaction failed")
        sandbox_schedule(account=account, events=[_event("sbx-kept")])
    assert broker.queue_size() == before + 1  # the committed one's wake was not skipped


def test_the_pump_lingers_for_an_event_stored_just_after_it_found_none(account):
    """A wake skipped by the throttle relies on this: the pump running at that moment
    still looks after the skipped event was stored."""
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:  # the pump has already found nothing to deliver twice
            sandbox_schedule(account=account, events=[_event("sbx-late")])
        time.sleep(seconds)

    assert sandbox_pump(sleep=sleep) == 1
    assert not SandboxEvent.objects.filter(delivered_at__isnull=True).exists()


def test_a_pump_woken_while_another_runs_leaves_it_to_the_running_one(account):
    lease_acquire(PUMP_LEASE, seconds=60)
    sandbox_schedule(account=account, events=[_event("sbx-waiting")])
    slept = []
    assert sandbox_pump(sleep=slept.append) == 0
    assert slept == []  # no worker held waiting
    assert SandboxEvent.objects.filter(delivered_at__isnull=True).count() == 1


def test_a_pump_leaving_as_an_event_is_stored_queues_its_successor(
    account, monkeypatch, django_capture_on_commit_callbacks
):
    """The other half of a skipped wake's cover: the look after releasing the lease."""
    real_release = runtime.lease_release

    def release_as_a_call_is_placed(name: str, token: str) -> None:
        sandbox_schedule(account=account, events=[_event("sbx-just-in-time")])
        real_release(name, token)

    monkeypatch.setattr(runtime, "lease_release", release_as_a_call_is_placed)
    monkeypatch.setattr(runtime._wake_pump, "last", time.monotonic())  # this wake is skipped
    broker = get_broker()
    before = broker.queue_size()
    with django_capture_on_commit_callbacks(execute=True):
        assert sandbox_pump(idle_seconds=0) == 0
    assert broker.queue_size() == before + 1
