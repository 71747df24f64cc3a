"""After every worker is killed the dialer comes back within about a minute (issue 18.9):
the scheduled run waits out a dead engine's lease instead of leaving, and leaves a live
engine alone."""

from datetime import timedelta

from django.utils import timezone

from callcenter.services.leases import Lease, lease_acquire, lease_renew
from campaigns.dialer.runner import ENGINE_LEASE, engine_run


def test_a_run_takes_over_once_a_dead_engines_lease_expires(db, settings):
    settings.CAMPAIGN_ENGINE_LEASE_SECONDS = 30
    # A SIGKILLed engine: its lease stays as it was, 3 s left, never renewed again.
    Lease.objects.create(
        name=ENGINE_LEASE, holder="killed", until=timezone.now() + timedelta(seconds=3)
    )
    slept = []

    def sleep(seconds):  # time passes; after the third look the lease has run out
        slept.append(seconds)
        if len(slept) == 3:
            Lease.objects.filter(name=ENGINE_LEASE).update(until=timezone.now())

    totals = engine_run(max_seconds=0.1, sleep=sleep)
    assert "skipped" not in totals and totals["passes"] >= 1
    assert len(slept) >= 3  # it watched the lease until it expired, then ran


def test_a_run_leaves_a_live_engine_alone(db, settings):
    settings.CAMPAIGN_ENGINE_LEASE_SECONDS = 30
    live = lease_acquire(ENGINE_LEASE, seconds=30)
    slept = []

    def sleep(seconds):  # meanwhile the live engine finishes a pass and renews
        slept.append(seconds)
        lease_renew(ENGINE_LEASE, live, seconds=30 + len(slept))

    assert engine_run(max_seconds=0.1, sleep=sleep) == {"skipped": 1}
    assert len(slept) == 1
    assert Lease.objects.get(name=ENGINE_LEASE).holder == live
