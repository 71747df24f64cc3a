"""Call-log sync: N records (default 100,000) from the IVR Solutions HTTP fake, fetched over
real HTTP, parsed by the adapter and upserted by `telephony.services.sync.sync_call_logs`,
beside a baseline of `bulk_create` of the same rows (built from the same parsed records)
into a second account, measured in the same run.

Usage: bench_sync.py [RECORDS]

The fake's call list is filled directly with ended calls (playing 100k calls forward
through its clock would measure the fake, not us); everything from the HTTP request on is
the production path. A second sync of the same range shows the all-existing upsert path.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import arg, bench_database_url, migrate, ratio, report, setup_django

RECORDS = arg(1, 100_000)
TOKEN = "ivr-bench-token"
DAY = datetime(2026, 1, 5, 4, 0, tzinfo=UTC)  # 09:30 IST: the whole set falls on one IST day


def _fill(fake) -> None:
    from tests.fakes.ivrsolutions_state import Call, Plan

    rng = random.Random(3)
    words = ["answered"] * 5 + ["no_answer", "busy", "failed"]
    for i in range(RECORDS):
        recordid = 900_000_000 + i
        start = DAY + timedelta(seconds=i % 36_000)
        status = rng.choice(words)
        fake.state.calls[recordid] = Call(
            recordid=recordid,
            logid=recordid,
            kind="text",
            did_no="01143104567",
            client_no=f"98{i % 100_000_000:08d}",
            created_at=start,
            start_at=start,
            plan=Plan(status, 2, 8, 60),
            status=status,
            ended_at=start + timedelta(seconds=60),
            duration=rng.randint(10, 300) if status == "answered" else 0,
        )


def _rate(what: str, seconds: float, **extra) -> dict:
    return {
        "what": what,
        "records": RECORDS,
        "seconds": round(seconds, 2),
        "per_second": round(RECORDS / seconds, 1),
        **extra,
    }


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from django.db import transaction

    from telephony.models import Call
    from telephony.services.accounts import account_create, provider_for
    from telephony.services.sync import CHUNK, _call_from, sync_call_logs
    from tests.fakes.ivrsolutions import IVRSolutionsFake

    fake = IVRSolutionsFake(api_token=TOKEN).start()
    _fill(fake)
    stamp = time.time()
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name=f"bench sync {stamp}",
        credentials={"api_token": TOKEN},
        base_url=fake.url,
    )
    # Rate limits guard real accounts; the bench measures our side, not the throttle.
    account.requests_per_minute, account.concurrency_limit = 100_000, 100
    account.save()
    since, until = DAY - timedelta(minutes=1), DAY + timedelta(hours=11)
    try:
        started = time.perf_counter()
        updates = list(provider_for(account).call_logs(since=since, until=until))
        fetch = time.perf_counter() - started

        started = time.perf_counter()
        first = sync_call_logs(account=account, since=since, until=until)
        sync_seconds = time.perf_counter() - started

        started = time.perf_counter()
        second = sync_call_logs(account=account, since=since, until=until)
        resync_seconds = time.perf_counter() - started
    finally:
        # Its server thread can take many seconds to notice shutdown; nothing waits on it.
        threading.Thread(target=fake.stop, daemon=True).start()

    other = account_create(
        actor=None,
        kind="ivrsolutions",
        name=f"bench bulk {stamp}",
        credentials={"api_token": TOKEN},
    )
    # The rows are built (numbers normalised) before the clock starts: the baseline is the
    # floor of writing them, so the ratio shows everything sync adds on top.
    prepared = [_call_from(other, u) for u in updates]
    started = time.perf_counter()
    for start in range(0, len(prepared), CHUNK):
        with transaction.atomic():
            Call.objects.bulk_create(prepared[start : start + CHUNK])
    baseline = time.perf_counter() - started

    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    base_row = _rate("bulk_create of the same rows", baseline, db=engine)
    rows = [
        base_row,
        _rate("fetch + parse only (HTTP)", fetch, db=engine),
        _rate(
            "sync_call_logs, new rows",
            sync_seconds,
            db=engine,
            result=str(first),
            ratio_to_baseline=ratio(RECORDS / sync_seconds, base_row["per_second"]),
        ),
        _rate(
            "sync_call_logs, again (all exist)",
            resync_seconds,
            db=engine,
            result=str(second),
            ratio_to_baseline=ratio(RECORDS / resync_seconds, base_row["per_second"]),
        ),
    ]
    report("sync", rows)


if __name__ == "__main__":
    main()
