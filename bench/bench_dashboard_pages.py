"""Dashboard list pages with 100 rows and with 100,000 (or argv[1]) rows: queries per page
and median latency, beside a bare indexed SELECT of the same page measured in the same run.

Rows are calls (spread over 60 days), contacts and audit entries; each page is requested
in-process through Django's test client, so the numbers are the view + ORM + template cost.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import bench_database_url, migrate, report, setup_django  # noqa: E402

SIZES = (100, int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
PAGES = ("/calls/", "/contacts/", "/wallboard/", "/audit/", "/workspace/", "/callbacks/")


def _grow(total: int, world: dict) -> None:
    from django.utils import timezone

    from callcenter.models import AuditEntry
    from contacts.models import Contact
    from telephony.models import Call

    now = timezone.now()
    have = Call.objects.count()
    batch = 5000
    for start in range(have, total, batch):
        n = min(batch, total - start)
        contacts = Contact.objects.bulk_create(
            Contact(phone=f"+9198{start + i:08d}", name=f"Bench {start + i}") for i in range(n)
        )
        calls = Call.objects.bulk_create(
            Call(
                account=world["account"],
                call_type="click_to_call",
                status=("completed", "no_answer", "busy")[i % 3],
                agent=world["agents"][i % len(world["agents"])],
                contact=contacts[i],
                to_number=contacts[i].phone,
                duration_seconds=30,
            )
            for i in range(n)
        )
        # Spread over 60 days: "today" is a small slice, as in a long-running install.
        for i, call in enumerate(calls):
            call.created_at = now - timedelta(minutes=(start + i) * 86400 // max(total, 1))
        Call.objects.bulk_update(calls, ["created_at"], batch_size=1000)
        AuditEntry.objects.bulk_create(
            AuditEntry(actor_label="bench", action="bench.row", summary="row") for _ in range(n)
        )


def _measure(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm caches
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            resp = client.get(path)
            times.append(time.perf_counter() - started)
        assert resp.status_code == 200, (path, resp.status_code)
    return {"queries": len(ctx), "p50_ms": round(statistics.median(times) * 1000, 1)}


def _baseline() -> float:
    from django.db import connection

    times = []
    for _ in range(5):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM telephony_call ORDER BY created_at DESC, id DESC LIMIT 51"
            )
            cursor.fetchall()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from django.test import Client

    from tests import factories

    account = factories.make_account(name="bench")
    agents = [factories.make_agent(account) for _ in range(5)]
    world = {"account": account, "agents": agents}
    admin = factories.make_user("admin", is_superuser=True)
    supervisor = factories.make_user("supervisor")
    rows = []
    for size in SIZES:
        _grow(size, world)
        baseline = _baseline()
        for path in PAGES:
            user = agents[0].user if path in ("/workspace/", "/callbacks/") else admin
            if path == "/wallboard/":
                user = supervisor
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            rows.append(
                {"rows": size, "page": path, **_measure(client, path), "bare_select_ms": baseline}
            )
    report("dashboard_pages", rows)


if __name__ == "__main__":
    main()
