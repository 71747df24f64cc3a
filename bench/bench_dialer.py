"""Dialer dispatch rate on the sandbox: engine passes placing calls (checks, atomic claim,
attempt + call rows, the sandbox's placing request, its simulated events stored), beside
a baseline of the same writes in raw SQL, in the same transactions.

Usage: bench_dialer.py [CONTACTS]   (default 2000, at most 32000)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import arg, bench_database_url, migrate, ratio, report, setup_django

CONTACTS = arg(1, 2000)
if not 0 < CONTACTS <= 32_000:
    raise SystemExit("CONTACTS must be 1..32000 (one concurrent line per contact)")


def _campaign(name: str):
    """A started campaign over CONTACTS fresh contacts. Every name and number is new, so
    the bench runs again on a PostgreSQL bench database it keeps (the factories' counters
    start at 1 in every process)."""
    from campaigns.models import TTSTemplate
    from campaigns.services import campaign_start
    from contacts.models import Contact, ContactList
    from tests import factories
    from tests.campaigns.factories import make_campaign, phones

    stamp = f"{time.time_ns()}"
    account = factories.make_account(name=f"{name} {stamp}")
    account.concurrency_limit, account.calls_per_second = 100_000, 0
    account.save()
    contact_list = ContactList.objects.create(name=f"{name} {stamp}")
    contacts = Contact.objects.bulk_create(
        Contact(phone=p, name=f"Contact {i}", time_zone="Asia/Kolkata")
        for i, p in enumerate(phones(CONTACTS))
    )
    contact_list.contacts.add(*contacts)
    campaign = make_campaign(
        account=account,
        lists=[contact_list],
        name=f"{name} {stamp}",
        # Every call stays live (no sandbox event is delivered here), so the campaign needs
        # a line per contact; a small-integer field, hence the cap on CONTACTS.
        no_of_call=CONTACTS,
        did=factories.make_did(account, number=f"+9111{stamp[-8:]}"),
        tts_template=TTSTemplate.objects.create(
            name=f"{name} {stamp}", text="Hello {name}.", account=account
        ),
    )
    campaign_start(user=None, campaign=campaign)
    return campaign


def _engine() -> dict:
    from campaigns.dialer.engine import engine_tick
    from campaigns.models import CampaignAttempt

    campaign = _campaign(f"bench engine {time.time()}")
    started = time.perf_counter()
    while CampaignAttempt.objects.filter(entry__campaign=campaign).count() < CONTACTS:
        if not engine_tick().dialed:
            raise SystemExit("the engine stopped dialing before every contact was called")
    seconds = time.perf_counter() - started
    return {
        "what": "engine (sandbox)",
        "calls": CONTACTS,
        "seconds": round(seconds, 2),
        "per_second": round(CONTACTS / seconds, 1),
    }


def _baseline() -> dict:
    """The writes the engine makes per call, as bare SQL in the same transactions: claim the
    entry and insert the call, its first timeline event and the attempt (one commit); mark
    the call placed and insert the sandbox's first event (a second commit); extend the
    leases of the round's entries (one UPDATE per round; here the whole list is one round,
    as it is for the engine with no caps). The engine's pump wake-up is left out."""
    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.models import CampaignAttempt, CampaignEntry
    from telephony.models import Call, CallEvent, SandboxEvent

    campaign = _campaign(f"bench baseline {time.time()}")
    entries, attempts = CampaignEntry._meta.db_table, CampaignAttempt._meta.db_table
    calls, events = Call._meta.db_table, CallEvent._meta.db_table
    sandbox = SandboxEvent._meta.db_table
    ids = list(campaign.entries.values_list("pk", "phone"))
    account = campaign.account_id
    started = time.perf_counter()
    for pk, phone in ids:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {entries} SET state='dialing', attempts=attempts+1, leased_until=%s "
                "WHERE id=%s AND state='pending'",
                [now, pk],
            )
            cursor.execute(
                f"INSERT INTO {calls} (account_id, provider_call_id, call_type, direction, "
                "from_number, to_number, did_number, status, provider_status, error, created_at, "
                "dtmf, amd_result, note, transcript, summary, insights, recording_attempts, "
                "disposition_push_attempts, disposition_push_error, recording_url, last_payload) "
                "VALUES (%s, '', 'tts', 'outbound', '', %s, '', 'queued', '', '', %s, '', '', '', "
                "'[]', '', '{}', 0, 0, '', '', '{}')",
                [account, phone, now],
            )
            call_id = cursor.lastrowid if connection.vendor == "sqlite" else None
            if call_id is None:
                cursor.execute("SELECT lastval()")
                call_id = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {events} (call_id, at, status, provider_status, source, detail) "
                "VALUES (%s, %s, 'queued', '', 'app', '')",
                [call_id, now],
            )
            cursor.execute(
                f"INSERT INTO {attempts} (entry_id, number, call_id, phone, placed_at, outcome, "
                "created_at) VALUES (%s, 1, %s, %s, %s, '', %s)",
                [pk, call_id, phone, now, now],
            )
        with transaction.atomic(), connection.cursor() as cursor:
            # The sandbox "places" the call by scheduling its first simulated event.
            cursor.execute(
                f"UPDATE {calls} SET provider_call_id=%s WHERE id=%s",
                [f"raw-{call_id}", call_id],
            )
            cursor.execute(
                f"INSERT INTO {sandbox} (account_id, due_at, body) VALUES (%s, %s, %s)",
                [account, now, '{"event": "ringing"}'],
            )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {entries} SET leased_until=%s WHERE campaign_id=%s AND state='dialing'",
            [timezone.now(), campaign.pk],
        )
    seconds = time.perf_counter() - started
    return {
        "what": "raw SQL, same writes",
        "calls": CONTACTS,
        "seconds": round(seconds, 2),
        "per_second": round(CONTACTS / seconds, 1),
    }


def _settle_other_campaigns() -> None:
    """Close every campaign already in the bench database: the baseline's raw-claimed
    entries (and, on a kept PostgreSQL bench database, earlier runs' campaigns) would
    otherwise be reconciled by the measured engine passes, up to 500 entries a pass."""
    from campaigns.models import Campaign, CampaignEntry

    CampaignEntry.objects.exclude(state__in=["done", "failed", "skipped"]).update(state="done")
    Campaign.objects.filter(status__in=["running", "paused"]).update(status="completed")


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from django.conf import settings

    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    _settle_other_campaigns()
    baseline = _baseline()
    _settle_other_campaigns()  # the baseline's raw claims must not reach the engine's passes
    engine = _engine()
    engine["db"] = baseline["db"] = "postgresql" if url.startswith("postgres") else "sqlite"
    engine["ratio_to_baseline"] = ratio(engine["per_second"], baseline["per_second"])
    engine["cost_x_raw"] = ratio(baseline["per_second"], engine["per_second"])
    report("dialer", [baseline, engine])


if __name__ == "__main__":
    main()
