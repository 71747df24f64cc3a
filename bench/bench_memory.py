"""Peak RSS of a worker process through a campaign over N contacts (start: entries for
every contact; then engine passes for DIALS calls) and through an N-row CSV import, each
in a fresh process, beside an idle worker (Django loaded, nothing done) in the same run.

Usage: bench_memory.py [CONTACTS] [DIALS]   (defaults 100000 and 5000; DIALS=0 dials all)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import (
    ROOT,
    arg,
    bench_database_url,
    migrate,
    peak_rss_mb,
    ratio,
    report,
    setup_django,
)

TARGET_MB = 250


def _campaign(contacts: int, dials: int) -> dict:
    from django.conf import settings

    from callcenter.services.datagen import generate
    from campaigns.dialer.engine import engine_tick
    from campaigns.models import CampaignAttempt
    from campaigns.services import campaign_start
    from tests.campaigns.factories import make_campaign

    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    data = generate(calls=0, contacts=contacts, agents=1, seed=int(time.time()) % 90 + 100)
    goal = dials or contacts
    # Nothing delivers the sandbox's events here, so placed calls stay in flight: the
    # campaign's concurrency is what stops the engine after `goal` calls.
    campaign = make_campaign(account=data.account, lists=[data.contact_list], no_of_call=goal)
    data.account.concurrency_limit, data.account.calls_per_second = 10**6, 0
    data.account.save()
    campaign_start(user=None, campaign=campaign)
    attempts = CampaignAttempt.objects.filter(entry__campaign=campaign)
    while attempts.count() < goal and engine_tick().dialed:
        pass
    return {"entries": campaign.entries.count(), "dialed": attempts.count()}


def _import(rows: int) -> dict:
    from bench.bench_import import _service, make_csv

    job = _service(make_csv(rows), f"bench memory import {time.time()}")
    return {"created": job.created_count}


def child(kind: str, url: str, contacts: int, dials: int) -> None:
    setup_django(url)
    started = time.perf_counter()
    done = {
        "idle": lambda: {},
        "campaign": lambda: _campaign(contacts, dials),
        "import": lambda: _import(contacts),
    }[kind]()
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "seconds": seconds, **done}))


def _run(kind: str, url: str, contacts: int, dials: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, str(contacts), str(dials)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    contacts, dials = arg(1, 100_000), arg(2, 5000)
    url = bench_database_url()
    migrate(url)
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    idle = _run("idle", url, contacts, dials)
    rows = [{"what": "idle worker (Django loaded)", "db": engine, **idle}]
    for kind, label in (
        ("campaign", f"campaign over {contacts} contacts"),
        ("import", f"CSV import of {contacts} rows"),
    ):
        figures = _run(kind, url, contacts, dials)
        rows.append(
            {
                "what": label,
                "db": engine,
                **figures,
                "target_mb": TARGET_MB,
                "x_idle": ratio(figures["peak_rss_mb"], idle["peak_rss_mb"]),
            }
        )
    report("memory", rows)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
