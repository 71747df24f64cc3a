"""The queued inbox (`WEBHOOK_APPLY=queued`, the production default): the request stores
and acknowledges, the drainer applies in batches with the same result as inline."""

import random
import time

import pytest
from django_q.brokers import get_broker

from callcenter.models import AuditEntry
from callcenter.services.leases import lease_acquire
from telephony.models import Call, CallEvent, WebhookEvent
from telephony.providers.types import CallStatus
from telephony.services import inbox_drain as drain_module
from telephony.services.inbox import inbox_match_unmatched
from telephony.services.inbox_drain import DRAIN_LEASE, inbox_drain
from tests import factories
from tests.telephony.helpers import post_signed_webhook

WORDS = ["ringing", "answered", "completed"]


@pytest.fixture(autouse=True)
def _queued(settings, monkeypatch):
    settings.WEBHOOK_APPLY = "queued"
    monkeypatch.setattr(drain_module.inbox_wake, "last", 0.0)


def _post(client, account, payload):
    return post_signed_webhook(client, account, payload)


def _calls(account, n, prefix="q"):
    return [
        Call.objects.create(
            account=account,
            provider_call_id=f"{prefix}-{i}",
            call_type=Call.Type.TTS,
            to_number="+919876500001",
        )
        for i in range(n)
    ]


def _event(call_id, seq, word, **extra):
    return {"event_id": f"{call_id}:{seq}", "call_id": call_id, "event": word, **extra}


def test_request_stores_and_wakes_the_drainer_which_applies(
    client, account, django_capture_on_commit_callbacks
):
    (call,) = _calls(account, 1)
    broker = get_broker()
    queued_before = broker.queue_size()
    with django_capture_on_commit_callbacks(execute=True):
        resp = _post(client, account, _event(call.provider_call_id, 0, "ringing"))
        assert (
            _post(client, account, _event(call.provider_call_id, 1, "answered")).status_code == 200
        )
    assert resp.status_code == 200 and resp.json()["stored"] == 1
    # Acknowledged but not applied yet: the call is untouched, the events wait.
    call.refresh_from_db()
    assert call.status == CallStatus.QUEUED
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"pending"}
    # One wake for the two requests (they came within WAKE_INTERVAL).
    assert broker.queue_size() == queued_before + 1

    assert inbox_drain(idle_seconds=0) == 2
    call.refresh_from_db()
    assert call.status == CallStatus.IN_PROGRESS and call.answered_at and call.ringing_at
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"applied"}
    assert CallEvent.objects.filter(call=call).count() == 2


def test_drained_batches_end_where_inline_application_ends(client, account, settings):
    """The same shuffled stream (duplicates, late events) applied both ways agrees."""
    rng = random.Random(7)
    inline_calls = _calls(account, 30, prefix="inline")
    queued_calls = _calls(account, 30, prefix="queued")
    stream = []
    for i in range(30):
        for seq, word in enumerate(WORDS):
            extra = {"duration": 20 + i} if word == "completed" else {}
            stream.append((i, seq, word, extra))
    stream += rng.sample(stream, 20)  # redeliveries
    rng.shuffle(stream)
    for i, seq, word, extra in stream:
        settings.WEBHOOK_APPLY = "inline"
        assert _post(client, account, _event(f"inline-{i}", seq, word, **extra)).status_code == 200
        settings.WEBHOOK_APPLY = "queued"
        assert _post(client, account, _event(f"queued-{i}", seq, word, **extra)).status_code == 200
    assert WebhookEvent.objects.filter(state="pending").count() == 90
    drain_module_batch = drain_module.BATCH
    try:
        drain_module.BATCH = 7  # several batches, events of one call split across them
        assert inbox_drain(idle_seconds=0) == 90
    finally:
        drain_module.BATCH = drain_module_batch
    fields = ["status", "duration_seconds", "ringing_at", "answered_at", "ended_at"]
    for a, b in zip(inline_calls, queued_calls, strict=True):
        a.refresh_from_db()
        b.refresh_from_db()
        assert a.status == b.status == CallStatus.COMPLETED
        assert a.duration_seconds == b.duration_seconds
        assert all(getattr(b, f) is not None for f in fields)
        assert CallEvent.objects.filter(call=a).count() == CallEvent.objects.filter(call=b).count()
        assert [e.detail for e in CallEvent.objects.filter(call=a).order_by("id")] == [
            e.detail for e in CallEvent.objects.filter(call=b).order_by("id")
        ]
    # Each call's end audited once, by whichever path applied it.
    assert AuditEntry.objects.filter(action="call.completed").count() == 60


def test_one_bad_event_fails_alone_and_the_batch_is_applied(client, account, monkeypatch):
    calls = _calls(account, 3)
    for call in calls:
        assert (
            _post(client, account, _event(call.provider_call_id, 0, "ringing")).status_code == 200
        )
    real = drain_module.merge_update

    def merge(call, update):
        if call.provider_call_id == "q-1":
            raise RuntimeError("database hiccup")
        return real(call, update)

    monkeypatch.setattr(drain_module, "merge_update", merge)  # batches and single events
    assert inbox_drain(idle_seconds=0) == 2
    states = dict(WebhookEvent.objects.values_list("provider_call_id", "state"))
    assert states == {"q-0": "applied", "q-1": "failed", "q-2": "applied"}
    monkeypatch.undo()
    from telephony.services.inbox import inbox_retry_pending

    assert inbox_retry_pending() == 1
    calls[1].refresh_from_db()
    assert calls[1].status == CallStatus.RINGING


def test_unmatched_event_waits_for_its_call(client, account):
    assert _post(client, account, _event("later-1", 0, "ringing")).status_code == 200
    assert inbox_drain(idle_seconds=0) == 0
    assert WebhookEvent.objects.get().state == "unmatched"
    call = Call.objects.create(
        account=account,
        provider_call_id="later-1",
        call_type=Call.Type.TTS,
        to_number="+919876500001",
    )
    assert inbox_match_unmatched(call) == 1
    call.refresh_from_db()
    assert call.status == CallStatus.RINGING


def test_a_drain_task_finding_the_lease_held_leaves_it_to_the_holder_at_once(client, account):
    """Waiting for the holder would keep a worker busy for every wake during a burst."""
    (call,) = _calls(account, 1)
    assert _post(client, account, _event(call.provider_call_id, 0, "ringing")).status_code == 200
    assert lease_acquire(DRAIN_LEASE, seconds=30)
    slept = []
    assert inbox_drain(idle_seconds=1.0, sleep=slept.append) == 0
    assert slept == []
    assert WebhookEvent.objects.get().state == "pending"


def test_the_drainer_lingers_for_an_event_stored_just_after_it_found_none(client, account):
    """A wake skipped by the throttle relies on this (telephony.services.wakeups)."""
    (call,) = _calls(account, 1)
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:  # the drainer has already found nothing pending three times
            _post(client, account, _event(call.provider_call_id, 0, "ringing"))
        time.sleep(seconds)

    assert inbox_drain(sleep=sleep) == 1
    assert WebhookEvent.objects.get().state == "applied"


def test_drainer_out_of_time_queues_its_successor(client, account):
    (call,) = _calls(account, 1)
    assert _post(client, account, _event(call.provider_call_id, 0, "ringing")).status_code == 200
    broker = get_broker()
    before = broker.queue_size()
    assert inbox_drain(max_seconds=0) == 0
    assert broker.queue_size() == before + 1
    assert inbox_drain(idle_seconds=0) == 1


def test_account_events_are_applied_in_a_batch(account):
    from contacts.models import DNCEntry
    from telephony.providers.base import CallStatus, CallUpdate
    from telephony.services.callstate import update_to_json

    contact = factories.make_contact()
    update = CallUpdate(
        provider_call_id="",
        status=CallStatus.UNKNOWN,
        event_type="contact.optout",
        to_number=contact.phone,
        dedupe_key="opt-1",
    )
    WebhookEvent.objects.create(
        account=account, dedupe_key="opt-1", body="{}", update=update_to_json(update)
    )
    assert inbox_drain(idle_seconds=0) == 1
    event = WebhookEvent.objects.get()
    assert event.state == "applied" and "added to DNC" in event.error
    assert DNCEntry.objects.filter(phone=contact.phone).exists()


def test_a_killed_drainers_events_wait_for_its_lease_to_expire_then_apply(client, account):
    """SIGKILL mid-batch: the batch's transaction never committed, so its events are still
    pending; the dead holder's lease lapses and the next drain (a wake or the schedule)
    applies them, each once."""
    from datetime import timedelta

    from django.utils import timezone

    from callcenter.services.leases import Lease

    calls = _calls(account, 3)
    for call in calls:
        assert (
            _post(client, account, _event(call.provider_call_id, 0, "answered")).status_code == 200
        )
    Lease.objects.create(
        name=DRAIN_LEASE, holder="dead", until=timezone.now() + timedelta(seconds=30)
    )
    assert inbox_drain(idle_seconds=0) == 0  # the holder may still be alive: left to it
    Lease.objects.filter(name=DRAIN_LEASE).update(until=timezone.now() - timedelta(seconds=1))
    assert inbox_drain(idle_seconds=0) == 3
    assert inbox_drain(idle_seconds=0) == 0
    assert CallEvent.objects.count() == 3
