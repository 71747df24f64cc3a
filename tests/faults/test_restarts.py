"""PostgreSQL and Redis restarted under a running campaign (and, for PostgreSQL, a webhook
stream): nothing lost, nothing done twice, and the processes carry on by themselves.

They restart shared services, so they run only where those are the suite's own: the
PostgreSQL one when the suite runs on PostgreSQL, the Redis one when REDIS_URL is set (the
CI's second leg, which runs its tests one at a time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from callcenter.services.leases import Lease
from campaigns.dialer.runner import ENGINE_LEASE
from campaigns.models import Campaign, CampaignEntry
from campaigns.services.lifecycle import campaign_start
from telephony.models import Call, WebhookEvent
from telephony.providers.sandbox.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests import factories
from tests.campaigns.factories import make_campaign, make_list, phones
from tests.faults.support import gunicorn, is_postgresql, noon_zone, spawn, stop, worker_env

pytestmark = pytest.mark.usefixtures("reference_data")

CONTACTS = 150
EVENTS = 1500
DEADLINE = 180


def _running_campaign(contacts: int = CONTACTS) -> Campaign:
    campaign = make_campaign(
        lists=[make_list(phones(contacts), zone=noon_zone())],
        no_of_call=20,
        number_of_retries=1,
        gap_between_retries=[0],
    )
    campaign.account.concurrency_limit, campaign.account.calls_per_second = 20, 50
    campaign.account.save()
    campaign_start(user=None, campaign=campaign)
    return campaign


def _assert_campaign_done_once_each(campaign: Campaign, dials: Path) -> None:
    campaign.refresh_from_db()
    entries = CampaignEntry.objects.filter(campaign=campaign)
    assert campaign.status == Campaign.Status.COMPLETED, Counter(
        entries.values_list("state", flat=True)
    )
    assert set(entries.values_list("state", flat=True)) <= {"done", "failed"}
    assert not entries.filter(attempts=0).exists()
    tags = Counter(dials.read_text().split())
    assert tags and max(tags.values()) == 1, f"dialed twice: {tags.most_common(3)}"
    assert max(Counter(t.split(":")[1] for t in tags).values()) <= 2  # 1 + retries


def _wait(predicate, what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not within {timeout:g} s"
        time.sleep(0.2)


# -- PostgreSQL --------------------------------------------------------------------------------
def _postgres_restart() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _other_postgres_sessions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT datname, application_name FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() "
            "AND datname IS DISTINCT FROM current_database()"
        )
        return [f"{db} ({app or 'no name'})" for db, app in cursor.fetchall()]


def _stream(url: str, token: str, secret: str, call_ids: list[str], log: dict) -> None:
    """Deliver EVENTS signed events at ~60/s, each retried until acknowledged, as a
    provider redelivers a webhook that failed."""
    session = requests.Session()
    for i in range(EVENTS):
        body = json.dumps(
            {"event_id": f"pg-{i}", "call_id": call_ids[i % len(call_ids)], "event": "answered"}
        ).encode()
        while True:
            ts = int(time.time())
            headers = {SIGNATURE_HEADER: sign(body, secret, ts), TIMESTAMP_HEADER: str(ts)}
            try:
                resp = session.post(
                    f"{url}/webhooks/{token}/", data=body, headers=headers, timeout=10
                )
                status = resp.status_code
            except requests.RequestException:
                status = 0
            if status == 200:
                log["acked"].append((i, time.monotonic()))
                break
            log["failures"][status] += 1
            time.sleep(0.2)
        time.sleep(1 / 60)


@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None, reason="no pg_ctlcluster here")
def test_postgresql_restart_under_a_campaign_and_a_webhook_stream(tmp_path):
    if not is_postgresql():
        pytest.skip("restarts PostgreSQL: runs only when the suite runs on PostgreSQL")
    others = _other_postgres_sessions()
    if others:
        pytest.skip(f"PostgreSQL also serves {', '.join(others)}; not restarting it under them")
    campaign = _running_campaign()
    account = factories.make_account(name="Stream")
    call_ids = [f"pg-{i}" for i in range(200)]
    Call.objects.bulk_create(
        Call(
            account=account, provider_call_id=p, call_type=Call.Type.TTS, to_number="+919876500001"
        )
        for p in call_ids
    )
    env = worker_env(
        tmp_path,
        SANDBOX_SPEED="0.02",
        CAMPAIGN_DIAL_LEASE_SECONDS="5",
        # Its own queue: the drainer woken by the webhooks runs in this test's qcluster.
        Q_CLUSTER_NAME=f"pg-restart-{uuid.uuid4().hex[:8]}",
        Q_WORKERS="2",
    )
    dials, log = tmp_path / "dials", {"acked": [], "failures": Counter()}
    with gunicorn(env, tmp_path / "gunicorn.log") as url:
        worker = spawn(["-m", "tests.faults.campaign_worker", str(dials)], env, tmp_path / "w.log")
        cluster = spawn(["-m", "tests.faults.qcluster_worker", str(dials)], env, tmp_path / "q.log")
        stream = threading.Thread(
            target=_stream,
            args=(url, account.webhook_token, account.webhook_secrets[0], call_ids, log),
        )
        try:
            stream.start()
            _wait(lambda: len(log["acked"]) >= 300, "the first 300 events")
            connection.close()  # ours would die with the server anyway
            restart_began = time.monotonic()
            _postgres_restart()
            restart_ended = time.monotonic()
            stream.join(timeout=DEADLINE)
            assert not stream.is_alive(), f"events still failing: {log['failures']}"
            worker.wait(timeout=DEADLINE)
            applied = WebhookEvent.objects.filter(account=account, state="applied")
            _wait(lambda: applied.count() >= EVENTS, "the drainer to apply every event")
        finally:
            stop(worker)
            stop(cluster)
    assert worker.returncode == 0, (tmp_path / "w.log").read_text()
    # The restart landed mid-stream and mid-campaign, and both carried on after it.
    assert any(t < restart_began for _, t in log["acked"])
    assert any(t > restart_ended for _, t in log["acked"])
    assert campaign.entries.count() == CONTACTS
    # Every event acknowledged is stored once and applied; redeliveries changed nothing.
    stored = WebhookEvent.objects.filter(account=account)
    assert sorted(i for i, _ in log["acked"]) == list(range(EVENTS))
    assert stored.count() == EVENTS
    assert stored.filter(state=WebhookEvent.State.APPLIED).count() == EVENTS
    _assert_campaign_done_once_each(campaign, dials)


# -- Redis -------------------------------------------------------------------------------------
def _engine_stopped(dials: Path) -> bool:
    Lease.objects.filter(name=ENGINE_LEASE).delete()
    before = len(dials.read_text().split())
    time.sleep(2)  # twenty engine passes while dialing
    return len(dials.read_text().split()) == before


def _redis_restart(*, down_until) -> None:
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=30)
    _wait(down_until, "the in-flight engine task's end while Redis is down", timeout=90)
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ],
        check=True,
        timeout=30,
    )
    _wait(
        lambda: subprocess.run(["redis-cli", "ping"], capture_output=True).returncode == 0,
        "Redis back",
        timeout=30,
    )


@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: no Redis broker")
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server here")
def test_redis_restart_loses_in_flight_tasks_and_the_schedules_finish_the_campaign(tmp_path):
    from campaigns.schedules import ensure_schedules as campaign_schedules
    from telephony.schedules import ensure_schedules as telephony_schedules

    # Transactional tests empty every table, the schedules' rows included.
    campaign_schedules()
    telephony_schedules()
    campaign = _running_campaign(contacts=150)
    env = worker_env(tmp_path, SANDBOX_SPEED="0.05", CAMPAIGN_DIAL_LEASE_SECONDS="5", Q_WORKERS="2")
    dials, log = tmp_path / "dials", tmp_path / "qcluster.log"
    cluster = spawn(["-m", "tests.faults.qcluster_worker", str(dials)], env, log)
    try:
        _wait(lambda: dials.exists() and len(dials.read_text().split()) >= 40, "40 dials")
        # While Redis is down the engine task in flight loses its lease (as a stalled one
        # would) and ends; its successor cannot be queued, and the queue comes back empty.
        # Only the one-minute schedule, kept in the database, can start the engine again.
        _redis_restart(down_until=lambda: _engine_stopped(dials))
        # Work was left when Redis came back with an empty queue: what finishes it now
        # comes from tasks the schedules queued from the database.
        assert campaign.entries.exclude(state__in=["done", "failed"]).exists()
        _wait(
            lambda: Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.COMPLETED,
            "the campaign's completion after the restart",
        )
    finally:
        stop(cluster)
    _assert_campaign_done_once_each(campaign, dials)
