"""The load test's scenario as a bench, for its pace: signed webhooks on an open-loop
schedule over real HTTP (gunicorn, DEBUG off) while 20 supervisors poll the wallboard and
a campaign dials in a worker process, a real `qcluster` draining the inbox. The rate
achieved is reported beside the rate asked and the floor (a quarter of it) that
tests/load/test_webhook_load.py used to assert; that test keeps the nothing-lost checks.

The pace is the machine's: on one 2-core VM the same code reached 300/s on both databases
one afternoon and 122-218/s two hours later, when the host ran ~40 % slower (the webhook
bench's bare view fell from 1,054 to 622 req/s), hence a floor of a quarter.

Usage: bench_webhook_load.py [SECONDS]   (default 30; LOAD_EVENTS_PER_SECOND, default 300)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import (
    arg,
    bench_database_url,
    gunicorn,
    migrate,
    report,
    server_env,
    setup_django,
)

SECONDS = arg(1, 30)
RATE = float(os.environ.get("LOAD_EVENTS_PER_SECOND", "300"))
FLOOR = RATE / 4
SUPERVISORS = 20
CALLS = 2000  # calls the events are about
CONTACTS = 300  # the campaign dialing meanwhile
# Sessions made here must be valid on the server: one key for both (bench only).
KEY = "bench-load-" + "k" * 50
WORKER_ENV = {
    "SANDBOX_SPEED": "0.05",
    "CAMPAIGN_DIAL_LEASE_SECONDS": "30",
    "CAMPAIGN_COMPLIANCE_WINDOW_START": "00:00",
    "CAMPAIGN_COMPLIANCE_WINDOW_END": "24:00",
    "CAMPAIGN_MIN_RECALL_GAP_MINUTES": "0",
}


def _prepare():
    """An account with CALLS calls, a started campaign over CONTACTS contacts and the
    supervisors' session cookies. The test factories' names (lists, users) restart in
    every process, so this wants a fresh database: the default SQLite file is new every
    run; give a PostgreSQL BENCH_DATABASE_URL an empty database."""
    from campaigns.models import TTSTemplate
    from campaigns.services.lifecycle import campaign_start
    from telephony.models import Call
    from tests import factories
    from tests.campaigns.factories import make_campaign, make_list, phones
    from tests.faults.support import noon_zone
    from tests.load import driver

    stamp = f"{time.time_ns()}"
    account = factories.make_account(name=f"load bench {stamp}")
    call_ids = [f"load-{stamp}-{i}" for i in range(CALLS)]
    Call.objects.bulk_create(
        Call(
            account=account, provider_call_id=p, call_type=Call.Type.TTS, to_number="+919876500001"
        )
        for p in call_ids
    )
    dialer = factories.make_account(name=f"load bench dialer {stamp}")
    dialer.concurrency_limit, dialer.calls_per_second = 20, 50
    dialer.save()
    campaign = make_campaign(
        account=dialer,
        lists=[make_list(phones(CONTACTS), zone=noon_zone())],
        no_of_call=20,
        name=f"load bench {stamp}",
        did=factories.make_did(dialer, number=f"+9111{stamp[-8:]}"),
        tts_template=TTSTemplate.objects.create(
            name=f"load bench {stamp}", text="Hello {name}.", account=dialer
        ),
    )
    campaign_start(user=None, campaign=campaign)
    return account, call_ids, campaign, driver.supervisor_cookies(SUPERVISORS)


def _run(env: dict[str, str], logs: Path, account, call_ids: list[str], cookies) -> dict:
    from telephony.models import WebhookEvent
    from tests.faults.support import spawn, stop
    from tests.load import driver

    schedule = driver.Schedule(rate=RATE, seconds=SECONDS)
    events, pages = driver.Tally(), driver.Tally()
    stored = WebhookEvent.objects.filter(account=account)
    dials = logs / "dials"
    with gunicorn(env) as url:
        worker = spawn(["-m", "tests.faults.campaign_worker", str(dials)], env, logs / "worker")
        cluster = spawn(["-m", "tests.faults.qcluster_worker", str(dials)], env, logs / "qcluster")
        try:
            pollers = driver.pollers(url, cookies, time.monotonic() + SECONDS, pages)
            took = driver.send_events(
                url, account.webhook_token, account.webhook_secrets[0], call_ids, events, schedule
            )
            for t in pollers:
                t.join()
            drained = driver.wait_applied(stored, len(events.events), bound=120)
        finally:
            stop(worker)
            stop(cluster)
    applied = stored.filter(state=WebhookEvent.State.APPLIED).count()
    return {
        **driver.figures(events, pages, schedule, took, drained),
        "floor_per_s": FLOOR,
        "errors": len(events.errors) + len(pages.errors),
        "not_applied": len(events.events) - applied,
    }


def main() -> None:
    os.environ["SECRET_KEY"] = KEY
    os.environ.setdefault("CREDENTIALS_KEYS", KEY)
    os.environ.update(WORKER_ENV)
    database_url = bench_database_url()
    migrate(database_url)
    setup_django(database_url)
    account, call_ids, campaign, cookies = _prepare()
    logs = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = server_env(
        database_url,
        SECRET_KEY=KEY,
        MEDIA_ROOT=str(logs / "media"),
        Q_CLUSTER_NAME=f"bench-load-{uuid.uuid4().hex[:8]}",
        Q_WORKERS="2",
        **WORKER_ENV,
    )
    row = _run(env, logs, account, call_ids, cookies)
    campaign.refresh_from_db()
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    achieved = row["achieved_per_s"]
    report(
        "webhook_load",
        [
            {
                "what": "webhooks under load (ack), 20 wallboards + a campaign",
                "db": engine,
                **row,
                "meets_floor": achieved >= FLOOR,
                "ratio_to_asked": round(achieved / RATE, 3),
                "campaign_after_load": campaign.status,  # it dials on; the test waits for its end
                "logs": str(logs),
            }
        ],
    )


if __name__ == "__main__":
    main()
