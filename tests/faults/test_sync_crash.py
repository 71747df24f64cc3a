"""A sync worker killed with SIGKILL mid-way through a call-log sync of a few thousand rows
from the IVR Solutions fake, then restarted: every call exists once, the cursor only moves
when a sync has finished, and a finished sync re-run changes nothing."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from callcenter.services.leases import Lease
from telephony.models import Call, CallEvent, ProviderAccount
from telephony.services.accounts import account_create
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.faults.support import spawn, worker_env

pytestmark = pytest.mark.usefixtures("reference_data")

CALLS = 3000  # six chunks of the bulk upsert
KILL_AT = (500, 1500)  # call rows committed when each kill lands
DEADLINE = 120


@pytest.fixture
def ivr():
    fake = IVRSolutionsFake().start()
    # Calls placed at the provider (portal, dialers...) over the last hour, all ended.
    fake.clock = datetime.now(UTC) - timedelta(hours=2)
    with fake._lock:
        for i in range(CALLS):
            start = fake.clock + timedelta(seconds=i)
            fake.state.place_call(
                "flow", did_no="1143104567", client_no=f"98{i:08d}", start_at=start
            )
    fake.advance(2 * 3600 - 60)
    yield fake
    fake.stop()


def _sync_runs(fake: IVRSolutionsFake) -> int:
    return sum(r.path == "/api/call_logs" for r in fake.requests)


def _run_worker(account, tmp_path, kill_at: int | None):
    """One worker; SIGKILLed once `kill_at` call rows are committed (None: let it finish)."""
    log = tmp_path / "worker.log"
    worker = spawn(["-m", "tests.faults.sync_worker", str(account.pk)], worker_env(tmp_path), log)
    started = time.monotonic()
    try:
        while worker.poll() is None:
            if kill_at is not None and Call.objects.filter(account=account).count() >= kill_at:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                return
            assert time.monotonic() - started < DEADLINE, log.read_text()
            time.sleep(0.01)
        assert kill_at is None, f"the sync finished before the kill: {log.read_text()}"
        assert worker.returncode == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def _expire_sync_lease(account) -> None:
    # The killed worker's lease runs out on its own after 300 s; move its end to now
    # rather than wait (a restarted worker that finds it held does nothing, by design).
    Lease.objects.filter(name=f"sync:{account.pk}:logs").update(
        until=timezone.now() - timedelta(seconds=1)
    )


def test_sigkilled_log_sync_restarts_with_every_call_once_and_a_sane_cursor(ivr, tmp_path):
    fake = ivr
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": fake.api_token},
        base_url=fake.url,
    )
    ProviderAccount.objects.filter(pk=account.pk).update(requests_per_minute=0)
    for threshold in KILL_AT:
        _run_worker(account, tmp_path, kill_at=threshold)
        account.refresh_from_db()
        # A killed sync claims nothing: the cursor moves only when a whole sync commits.
        assert "logs_until" not in account.sync_cursor
        assert threshold <= Call.objects.filter(account=account).count() < CALLS
        _expire_sync_lease(account)
    before = timezone.now()
    _run_worker(account, tmp_path, kill_at=None)

    calls = Call.objects.filter(account=account)
    ids = list(calls.values_list("provider_call_id", flat=True))
    assert len(ids) == len(set(ids)) == CALLS, "a call is missing or there twice"
    assert set(ids) == {str(c.recordid) for c in fake.state.ended_calls()}
    assert not calls.exclude(status__in=["completed", "no_answer", "busy", "failed"]).exists()
    account.refresh_from_db()
    cursor = datetime.fromisoformat(account.sync_cursor["logs_until"])
    assert before <= cursor <= timezone.now()
    assert _sync_runs(fake) == len(KILL_AT) + 1  # one read of the logs per worker

    # Run again after the fact: nothing new, nothing changed, no timeline noise.
    _run_worker(account, tmp_path, kill_at=None)
    assert calls.count() == CALLS
    assert not CallEvent.objects.filter(call__account=account).exists()
    account.refresh_from_db()
    assert datetime.fromisoformat(account.sync_cursor["logs_until"]) >= cursor
