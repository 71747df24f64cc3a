"""Demo data for `make run`: users, a sandbox account, DIDs, agents, contacts, a campaign."""

from __future__ import annotations

import random
import secrets
from datetime import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction

from campaigns.models import Campaign, TTSTemplate
from campaigns.services.lifecycle import campaign_start
from common.phones import phone_time_zone
from contacts.models import Contact, ContactList
from telephony.models import DID, Agent, AgentGroup, Extension
from telephony.services.accounts import account_create

CREDENTIALS_FILE = Path(settings.BASE_DIR) / ".demo-credentials"
FIRST = ["Asha", "Ravi", "Meera", "Arjun", "Priya", "Kiran", "Neha", "Vikram", "Sara", "Dev"]
LAST = ["Sharma", "Iyer", "Khan", "Patel", "Reddy", "Das", "Nair", "Gupta", "Singh", "Joshi"]


def demo_present() -> bool:
    return User.objects.exists()


@transaction.atomic
def demo_seed() -> dict[str, str]:
    """Create the demo data in an empty database; returns username -> password."""
    passwords = {}
    admin = _user("admin", "Ada Admin", "admin", passwords, superuser=True)
    _user("supervisor", "Sam Supervisor", "supervisor", passwords)
    account = account_create(actor=admin, kind="sandbox", name="Sandbox", credentials={})
    dids = [
        DID.objects.create(account=account, number=n, region="Delhi", monthly_cost="500.00")
        for n in ("+911143104567", "+911143104568", "+911143104569")
    ]
    team = AgentGroup.objects.create(name="Inside sales", wrap_up_limit_seconds=120)
    for i, (username, full) in enumerate(
        [("agent", "Anil Agent"), ("agent2", "Bela Agent"), ("agent3", "Chen Agent")]
    ):
        user = _user(username, full, "agent", passwords)
        # Offline until they log in: the wallboard shows nobody Ready who is not there.
        agent = Agent.objects.create(
            user=user, phone=f"+9198100000{i + 1:02d}", state=Agent.State.OFFLINE, group=team
        )
        Extension.objects.create(account=account, number=str(2101 + i), agent=agent, did=dids[i])
    rng = random.Random(2026)
    lists = [ContactList.objects.create(name=n) for n in ("Renewals", "New leads")]
    for i in range(200):
        phone = f"+919{rng.randint(100000000, 899999999)}"
        contact = Contact.objects.create(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            phone=phone,
            time_zone=phone_time_zone(phone, fallback="Asia/Kolkata"),
            variables={"order_id": f"ORD{10000 + i}", "amount": str(rng.randint(200, 5000))},
        )
        contact.lists.add(lists[i % 2])
    template = TTSTemplate.objects.create(
        name="order_confirm",
        text="Hello {name}, your order {order_id} of rupees {amount} is on its way. "
        "Press 1 to confirm or 2 to speak to an agent.",
        status=TTSTemplate.Status.APPROVED,
        account=account,
    )
    campaign = Campaign.objects.create(
        name="Renewals November",
        account=account,
        did=dids[0],
        tts_template=template,
        created_by=admin,
        window_start=time(9, 0),
        window_end=time(21, 0),
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        no_of_call=3,
    )
    campaign.lists.add(lists[0])
    # Running from the start, so the wallboard moves on a fresh `make run` (inside the
    # legal calling hours of the contacts' time zone; outside them its health panel says so).
    campaign_start(user=admin, campaign=campaign)
    CREDENTIALS_FILE.write_text("".join(f"{u} {p}\n" for u, p in passwords.items()))
    CREDENTIALS_FILE.chmod(0o600)
    return passwords


def demo_credentials() -> dict[str, str]:
    if not CREDENTIALS_FILE.exists():
        return {}
    pairs = (line.split(" ", 1) for line in CREDENTIALS_FILE.read_text().splitlines() if line)
    return dict(pairs)


def _user(username: str, full: str, role: str, passwords: dict, *, superuser: bool = False) -> User:
    password = secrets.token_urlsafe(9)
    first, last = full.split(" ", 1)
    user = User.objects.create_user(
        username,
        password=password,
        first_name=first,
        last_name=last,
        is_staff=role in ("admin", "supervisor"),
        is_superuser=superuser,
    )
    user.groups.add(Group.objects.get(name=role))
    passwords[username] = password
    return user
