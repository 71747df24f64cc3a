"""Crash safety with a real worker process, killed with SIGKILL mid-dispatch and restarted.

When the 1,000-contact campaign completes, every contact was dialed at most once per
planned attempt (counted where the provider receives the request, not in our tables)
and none was lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services import campaign_start
from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = 1000
RETRIES = 1
KILL_AT = (150, 450, 800)  # dials seen by the provider when each kill lands
DEADLINE = 180  # seconds for the whole run, kills and restarts included


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _noon_zone() -> str:
    """An Etc/ zone where it is about noon now, so the all-day window is surely open."""
    offset = 12 - datetime.now(UTC).hour
    offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _spawn(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CAMPAIGN_COMPLIANCE_WINDOW_START": "00:00",
        "CAMPAIGN_COMPLIANCE_WINDOW_END": "24:00",
        "CAMPAIGN_MIN_RECALL_GAP_MINUTES": "0",
        "CAMPAIGN_DIAL_LEASE_SECONDS": "2",
        "CAMPAIGN_ENGINE_LEASE_SECONDS": "2",
        "SANDBOX_SPEED": "0.01",
        "MEDIA_ROOT": str(log.parent / "media"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.campaigns.crash_worker", str(log)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _dials(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_sigkilled_worker_never_double_dials_and_loses_no_contact(tmp_path):
    campaign = make_campaign(
        lists=[make_list(phones(CONTACTS), zone=_noon_zone())],
        no_of_call=40,
        number_of_retries=RETRIES,
        gap_between_retries=[0],
    )
    campaign.account.concurrency_limit, campaign.account.calls_per_second = 40, 1000
    campaign.account.save()
    campaign_start(user=None, campaign=campaign)
    log = tmp_path / "dials.log"
    started = time.monotonic()
    kills = 0
    worker = _spawn(log)
    try:
        for threshold in KILL_AT:
            while len(_dials(log)) < threshold:
                assert worker.poll() is None, worker.stdout.read().decode()
                assert time.monotonic() - started < DEADLINE, "dispatch too slow"
                time.sleep(0.005)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
            worker = _spawn(log)
        remaining = DEADLINE - (time.monotonic() - started)
        out, _ = worker.communicate(timeout=max(remaining, 1))
        assert worker.returncode == 0, out.decode()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED and kills == len(KILL_AT)
    dials = Counter(_dials(log))
    assert dials, "the provider saw no call"
    assert max(dials.values()) == 1, f"an attempt was dialed twice: {dials.most_common(3)}"
    per_entry = Counter(ref.split(":")[1] for ref in dials)
    assert max(per_entry.values()) <= 1 + RETRIES
    # Every dial the provider saw was recorded as an attempt before it was sent.
    recorded = {
        f"{campaign.pk}:{entry_id}:{number}"
        for entry_id, number in CampaignAttempt.objects.values_list("entry_id", "number")
    }
    assert set(dials) <= recorded
    # None lost: every contact reached a final state after at least one attempt.
    entries = CampaignEntry.objects.filter(campaign=campaign)
    assert entries.count() == CONTACTS
    assert set(entries.values_list("state", flat=True)) <= {"done", "failed"}
    assert not entries.filter(attempts=0).exists()
