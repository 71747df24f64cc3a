"""Dialer dispatch rate on the sandbox: engine passes placing calls (checks, atomic claim,
attempt + call rows, the sandbox's placing request, its simulated events stored), beside
a baseline of the bare claim in raw SQL (one UPDATE + one INSERT per entry)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import bench_database_url, migrate, report, setup_django  # noqa: E402

CONTACTS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def _campaign(name: str):  # noqa: ANN202
    from campaigns.services import campaign_start
    from tests.campaigns.factories import make_campaign, make_list, phones

    campaign = make_campaign(lists=[make_list(phones(CONTACTS))], name=name, no_of_call=10_000)
    account = campaign.account
    account.concurrency_limit, account.calls_per_second = 100_000, 0
    account.save()
    campaign_start(user=None, campaign=campaign)
    return campaign


def _engine() -> dict:
    from campaigns.engine import engine_tick
    from campaigns.models import CampaignAttempt

    campaign = _campaign(f"bench engine {time.time()}")
    started = time.perf_counter()
    while CampaignAttempt.objects.filter(entry__campaign=campaign).count() < CONTACTS:
        engine_tick()
    seconds = time.perf_counter() - started
    return {"what": "engine (sandbox)", "calls": CONTACTS, "seconds": round(seconds, 2),
            "per_second": round(CONTACTS / seconds, 1)}  # fmt: skip


def _baseline() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.models import CampaignAttempt, CampaignEntry

    campaign = _campaign(f"bench baseline {time.time()}")
    entries = CampaignEntry._meta.db_table
    attempts = CampaignAttempt._meta.db_table
    ids = list(campaign.entries.values_list("pk", "phone"))
    started = time.perf_counter()
    for pk, phone in ids:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {entries} SET state='dialing', attempts=attempts+1 "  # noqa: S608
                "WHERE id=%s AND state='pending'",
                [pk],
            )
            cursor.execute(
                f"INSERT INTO {attempts} (entry_id, number, phone, placed_at, outcome, "  # noqa: S608
                "created_at) VALUES (%s, 1, %s, %s, '', %s)",
                [pk, phone, timezone.now(), timezone.now()],
            )
    seconds = time.perf_counter() - started
    return {"what": "raw SQL claim only", "calls": CONTACTS, "seconds": round(seconds, 2),
            "per_second": round(CONTACTS / seconds, 1)}  # fmt: skip


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from django.conf import settings

    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    baseline = _baseline()
    engine = _engine()
    engine["ratio_to_baseline"] = round(engine["per_second"] / baseline["per_second"], 3)
    report("dialer", [baseline, engine])


if __name__ == "__main__":
    main()
