"""Large, reproducible data sets for benchmarks and capacity checks (`manage.py generate_data`).

Everything is drawn from one `random.Random(seed)`, so the same arguments give the same
rows. Rows go in with `bulk_create` in batches inside one transaction per batch; no
signals, no audit entries, no per-row services: this is bulk test data, not business.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from callcenter.services.roles import AGENT
from contacts.models import Contact, ContactList
from telephony.models import DID, Agent, Call, Extension, ProviderAccount
from telephony.services.accounts import account_create

FIRST = [
    "Asha",
    "Ravi",
    "Meera",
    "Arjun",
    "Priya",
    "Kiran",
    "Neha",
    "Vikram",
    "Sara",
    "Dev",
    "Lakshmi",
    "Rahul",
    "Anita",
    "Suresh",
    "Divya",
    "Manoj",
    "Pooja",
    "Imran",
    "Farah",
    "Tara",
]
LAST = [
    "Sharma",
    "Iyer",
    "Khan",
    "Patel",
    "Reddy",
    "Das",
    "Nair",
    "Gupta",
    "Singh",
    "Joshi",
    "Menon",
    "Rao",
    "Bose",
    "Kapoor",
    "Mehta",
    "Pillai",
    "Verma",
    "Chopra",
    "Sethi",
    "Jain",
]
ZONES = ["Asia/Kolkata"] * 8 + ["Asia/Dubai", "Europe/London"]
# Roughly what a long-running outbound call center sees.
STATUSES = (
    ["completed"] * 45 + ["no_answer"] * 25 + ["busy"] * 12 + ["failed"] * 8 + ["voicemail"] * 10
)
TYPES = ["tts"] * 50 + ["click_to_call"] * 35 + ["inbound"] * 10 + ["masked"] * 5


@dataclass
class Generated:
    account: ProviderAccount
    contact_list: ContactList
    agents: list[Agent]
    contacts: int
    calls: int


def phone_for(seed: int, i: int) -> str:
    """A valid Indian mobile number, distinct per (seed, i) for i below one million."""
    return f"+9198{(seed * 1_000_000 + i) % 100_000_000:08d}"


@contextmanager
def _keep_given_created_at() -> Iterator[None]:
    # `auto_now_add` would stamp every generated call "now"; spreading calls over days is
    # the point, so the flag is lifted for the duration of the bulk insert only.
    field = Call._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def generate(
    *,
    calls: int,
    contacts: int,
    agents: int = 20,
    days: int = 60,
    seed: int = 1,
    batch: int = 5000,
    progress: Callable[[str], None] = lambda _msg: None,
) -> Generated:
    """Create `contacts` contacts in one list and `calls` calls over the last `days` days."""
    if contacts < 1 or agents < 1 or days < 1:
        raise ValueError("contacts, agents and days must be at least 1")
    name = f"Generated data (seed {seed})"
    if ContactList.objects.filter(name=name).exists():
        raise ValueError(
            f"“{name}” already exists in this database: use another --seed or a fresh database."
        )
    rng = random.Random(seed)
    account = account_create(actor=None, kind="sandbox", name=name, credentials={})
    contact_list = ContactList.objects.create(name=name)
    agent_rows = _agents(account, seed, agents)
    progress(f"{agents} agents created")
    contact_ids = _contacts(contact_list, seed, contacts, rng, batch, progress)
    _calls(account, agent_rows, contact_ids, seed, calls, days, rng, batch, progress)
    _analyze()
    progress("planner statistics refreshed (ANALYZE)")
    return Generated(account, contact_list, agent_rows, contacts, calls)


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as an operator would.

    Without it PostgreSQL plans from the empty tables it last saw and scans 200k calls
    sequentially for "today's calls" (the wallboard took 90 ms instead of 32 ms right
    after a load); autovacuum would fix it only minutes later. SQLite's planner uses
    the same statistics (`sqlite_stat1`).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (Call, Contact):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _agents(account: ProviderAccount, seed: int, count: int) -> list[Agent]:
    group = Group.objects.get(name=AGENT)
    did = DID.objects.create(
        account=account, number=f"+91114{seed % 100_000:05d}00", region="Delhi"
    )
    rows = []
    for n in range(count):
        user = User(username=f"gen{seed}-agent{n + 1}", first_name=FIRST[n % len(FIRST)])
        user.set_unusable_password()  # bench users never log in with a password
        user.save()
        user.groups.add(group)
        agent = Agent.objects.create(user=user, phone=phone_for(seed + 500, n))
        Extension.objects.create(account=account, number=str(5000 + n), agent=agent, did=did)
        rows.append(agent)
    return rows


def _contacts(contact_list, seed, count, rng, batch, progress) -> list[tuple[int, str]]:
    through = Contact.lists.through
    out: list[tuple[int, str]] = []
    for start in range(0, count, batch):
        n = min(batch, count - start)
        with transaction.atomic():
            rows = Contact.objects.bulk_create(
                Contact(
                    phone=phone_for(seed, start + i),
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    time_zone=rng.choice(ZONES),
                    variables={
                        "order_id": f"ORD{start + i}",
                        "amount": str(rng.randint(200, 5000)),
                    },
                )
                for i in range(n)
            )
            through.objects.bulk_create(
                through(contact_id=c.pk, contactlist_id=contact_list.pk) for c in rows
            )
        out.extend((c.pk, c.phone) for c in rows)
        progress(f"contacts {start + n}/{count}")
    return out


def _calls(account, agents, contact_ids, seed, count, days, rng, batch, progress) -> None:
    now = timezone.now()
    span = days * 86400
    with _keep_given_created_at():
        for start in range(0, count, batch):
            n = min(batch, count - start)
            with transaction.atomic():
                Call.objects.bulk_create(
                    _call(account, agents, contact_ids, seed, start + i, now, span, count, rng)
                    for i in range(n)
                )
            progress(f"calls {start + n}/{count}")


def _call(account, agents, contact_ids, seed, i, now, span, count, rng) -> Call:
    contact_id, phone = contact_ids[rng.randrange(len(contact_ids))]
    status = rng.choice(STATUSES)
    call_type = rng.choice(TYPES)
    # In time order, as a real call log grows: today's calls sit together at the end of the
    # table. Random order scattered them over every page, and the wallboard read 18,000
    # pages for 31,000 rows of today and yesterday at 1M calls.
    created = now - timedelta(seconds=span * (count - i - rng.random()) / count)
    answered = status == "completed"
    duration = rng.randint(15, 600) if answered else 0
    return Call(
        account=account,
        provider_call_id=f"gen-{seed}-{i}",
        call_type=call_type,
        direction="inbound" if call_type == "inbound" else "outbound",
        to_number=phone,
        from_number="",
        agent=agents[rng.randrange(len(agents))] if call_type != "tts" else None,
        contact_id=contact_id,
        status=status,
        provider_status=status,
        created_at=created,
        ringing_at=created + timedelta(seconds=2),
        answered_at=created + timedelta(seconds=8) if answered else None,
        ended_at=created + timedelta(seconds=8 + duration),
        duration_seconds=duration,
    )
