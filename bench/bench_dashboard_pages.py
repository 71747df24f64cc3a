"""Dashboard pages on a large data set: p50/p95 server time and queries per page of the
calls list (first page, a deep page, filtered), contacts search, a contact page and the
wallboard, beside the Django admin changelist of the same table, measured in the same run.

Usage: bench_dashboard_pages.py [CALLS] [CONTACTS] [REPEAT]
(defaults 200000 40000 20; the issue's full size is 1000000 200000). Data comes from
`manage.py generate_data`; pages are requested in-process through Django's test client,
so the figures are view + ORM + template time, without the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import arg, bench_database_url, migrate, ratio, report, setup_django, timed

CALLS = arg(1, 200_000)
CONTACTS = arg(2, 40_000)
REPEAT = arg(3, 20)
SEED = 700  # fixed, so a PostgreSQL bench database keeps its data between runs


def _data():
    from django.core.management import call_command

    from contacts.models import ContactList
    from telephony.models import Call

    name = f"Generated data (seed {SEED})"
    contact_list = ContactList.objects.filter(name=name).first()
    if contact_list is None or Call.objects.filter(account__name=name).count() < CALLS:
        seed = SEED if contact_list is None else SEED + CALLS  # a bigger set beside the old one
        call_command("generate_data", calls=CALLS, contacts=CONTACTS, seed=seed, verbosity=1)
        name = f"Generated data (seed {seed})"
        contact_list = ContactList.objects.get(name=name)
    return contact_list


def _pages(contact_list) -> list[tuple[str, str, str]]:
    """(label, url, admin changelist it compares with)."""
    from telephony.models import Agent, Call

    contact = contact_list.contacts.order_by("id")[CONTACTS // 2]
    deep = Call.objects.order_by("-created_at", "-id").only("created_at")[CALLS // 2]
    cursor = f"{deep.created_at.isoformat()}_{deep.pk}"
    agent = Agent.objects.filter(extensions__account__name=contact_list.name).first()
    calls_admin = "/admin/telephony/call/"
    contacts_admin = "/admin/contacts/contact/"
    return [
        ("calls list, first page", "/calls/", calls_admin),
        ("calls list, deep page", f"/calls/?after={cursor}", f"{calls_admin}?p={CALLS // 200}"),
        (
            "calls list, filtered",
            f"/calls/?status=busy&agent={agent.pk}",
            f"{calls_admin}?status__exact=busy&agent__id__exact={agent.pk}",
        ),
        ("contacts search, name", "/contacts/?q=Priya", f"{contacts_admin}?q=Priya"),
        (
            "contacts search, number",
            f"/contacts/?q={contact.phone}",
            f"{contacts_admin}?q={contact.phone}",
        ),
        ("contact page", f"/contacts/{contact.pk}/", f"{contacts_admin}?q={contact.phone}"),
        ("wallboard", "/wallboard/", calls_admin),
    ]


def _measure(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        resp = client.get(path)
        if resp.status_code != 200:
            raise RuntimeError(f"{path} answered {resp.status_code}")

    figures = timed(get, REPEAT)
    with CaptureQueriesContext(connection) as ctx:
        get()
    return {**figures, "queries": len(ctx)}


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from django.contrib.auth.models import User
    from django.test import Client

    contact_list = _data()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    rows = []
    for label, path, admin_path in _pages(contact_list):
        page = _measure(client, path)
        baseline = _measure(client, admin_path)
        rows.append(
            {
                "page": label,
                "db": engine,
                "calls": CALLS,
                "contacts": CONTACTS,
                **page,
                "admin_p50_ms": baseline["p50_ms"],
                "admin_p95_ms": baseline["p95_ms"],
                "admin_queries": baseline["queries"],
                "speedup_p95": ratio(baseline["p95_ms"], page["p95_ms"]),
            }
        )
    report("dashboard_pages", rows)


if __name__ == "__main__":
    main()
