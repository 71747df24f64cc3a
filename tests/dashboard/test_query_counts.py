"""List pages run the same number of queries with 100 rows as with 300 (no N+1, no per-row
lookups); each test prints its counts, which the closing note reports."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from campaigns.models import Campaign, CampaignEntry, TTSTemplate
from contacts.models import Contact
from telephony.models import DID, Agent, Call, Callback, Disposition, Extension, MaskedSession
from tests import factories

SMALL, LARGE = 100, 300


def _count(client, url, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, **kwargs)
    assert resp.status_code == 200, url
    if hasattr(resp, "streaming_content"):
        b"".join(resp.streaming_content)
    return len(ctx.captured_queries)


def _grow(make, client, url, label, **kwargs):
    make(SMALL)
    _count(client, url, **kwargs)  # warm per-process caches (content types, session)
    small = _count(client, url, **kwargs)
    make(LARGE - SMALL)
    large = _count(client, url, **kwargs)
    print(f"\nQUERY COUNT {label}: {small} queries with {SMALL} rows, {large} with {LARGE}")
    assert small == large, f"{label}: {small} queries at {SMALL} rows, {large} at {LARGE}"


@pytest.fixture
def world(account):
    agent = factories.make_agent(account)
    contact = factories.make_contact()
    return {"account": account, "agent": agent, "contact": contact, "n": [0]}


def _calls(world):
    disposition = Disposition.objects.first()

    def make(n):
        agents = [world["agent"], factories.make_agent(world["account"])]
        contacts = [factories.make_contact(f"+9198765{world['n'][0]:05d}") for _ in range(2)]
        world["n"][0] += 1
        Call.objects.bulk_create(
            Call(
                account=world["account"],
                call_type="click_to_call",
                status="completed",
                agent=agents[i % 2],
                contact=contacts[i % 2],
                disposition=disposition,
                to_number="+919876500001",
                answered_at=timezone.now(),
                duration_seconds=20,
            )
            for i in range(n)
        )

    return make


def test_calls_log_and_export(admin_client, world):
    make = _calls(world)
    _grow(make, admin_client, reverse("telephony:calls"), "calls log")
    _grow(
        make,
        admin_client,
        reverse("telephony:calls"),
        "calls log filtered by status",
        data={"status": "completed"},
    )


def test_calls_csv_export_streams_in_chunks(admin_client, world):
    _grow(_calls(world), admin_client, reverse("telephony:call_export"), "calls CSV export")


def test_wallboard(supervisor_client, world):
    make_calls = _calls(world)

    def make(n):
        make_calls(n)
        for _ in range(max(n // 50, 1)):
            factories.make_agent(world["account"])

    campaign = Campaign.objects.create(name="c", account=world["account"], status="running")
    CampaignEntry.objects.create(campaign=campaign, contact=world["contact"], phone="+919876500001")
    _grow(make, supervisor_client, reverse("telephony:wallboard"), "wallboard")


def test_workspace(client, world):
    client.force_login(world["agent"].user)

    def make(n):
        _calls(world)(n)
        Callback.objects.bulk_create(
            Callback(contact=world["contact"], agent=world["agent"], due_at=timezone.now())
            for _ in range(n)
        )

    _grow(make, client, reverse("telephony:workspace"), "agent workspace")


def test_contacts_list_and_detail(admin_client, world):
    def make(n):
        start = Contact.objects.count()
        Contact.objects.bulk_create(
            Contact(phone=f"+91981{start + i:07d}", name=f"C {start + i}") for i in range(n)
        )
        _calls(world)(n)

    _grow(make, admin_client, reverse("contacts:list"), "contacts list")
    url = reverse("contacts:detail", args=[world["contact"].pk])
    _grow(_calls(world), admin_client, url, "contact page with call history")


def test_dids_agents_masked_callbacks(admin_client, world):
    account = world["account"]
    counter = [0]

    def _next(n):
        first = counter[0] + 1
        counter[0] += n
        return range(first, first + n)

    def make_dids(n):
        ks = _next(n)
        dids = DID.objects.bulk_create(DID(account=account, number=f"+9111{k:08d}") for k in ks)
        users = User.objects.bulk_create(User(username=f"u{k}") for k in ks)
        agents = Agent.objects.bulk_create(Agent(user=u) for u in users)
        Extension.objects.bulk_create(
            Extension(account=account, number=f"9{k:05d}", did=did, agent=agent)
            for k, did, agent in zip(ks, dids, agents, strict=True)
        )

    _grow(make_dids, admin_client, reverse("telephony:dids"), "DIDs inventory")

    def make_agents(n):
        group = Group.objects.get(name="agent")
        ks = _next(n)
        users = User.objects.bulk_create(User(username=f"a{k}") for k in ks)
        User.groups.through.objects.bulk_create(
            User.groups.through(user=u, group=group) for u in users
        )
        agents = Agent.objects.bulk_create(Agent(user=u) for u in users)
        Extension.objects.bulk_create(
            Extension(account=account, number=f"8{k:05d}", agent=agent)
            for k, agent in zip(ks, agents, strict=True)
        )

    _grow(make_agents, admin_client, reverse("telephony:agents"), "agents and extensions")

    did = DID.objects.first()

    def make_sessions(n):
        sessions = MaskedSession.objects.bulk_create(
            MaskedSession(
                account=account,
                did=did,
                party_a="+919876500001",
                party_b="+919876500002",
                expires_at=timezone.now() + timedelta(hours=1),
            )
            for _ in range(n)
        )
        Call.objects.bulk_create(
            Call(account=account, call_type="masked", masked_session=s, status="completed")
            for s in sessions
        )

    _grow(make_sessions, admin_client, reverse("telephony:masked"), "masked sessions")

    def make_callbacks(n):
        Callback.objects.bulk_create(
            Callback(contact=world["contact"], agent=world["agent"], due_at=timezone.now())
            for _ in range(n)
        )

    _grow(make_callbacks, admin_client, reverse("telephony:callbacks"), "callbacks")


def test_audit_dispositions_templates(admin_client, admin_user, world):
    def make_audit(n):
        AuditEntry.objects.bulk_create(
            AuditEntry(actor=admin_user, actor_label="admin", action="x.y", summary="s")
            for _ in range(n)
        )

    _grow(make_audit, admin_client, reverse("audit"), "audit log")
    count = [0]

    def _next(n):
        first = count[0] + 1
        count[0] += n
        return range(first, first + n)

    def make_dispositions(n):
        Disposition.objects.bulk_create(Disposition(code=f"d{k}", label=f"D {k}") for k in _next(n))

    _grow(make_dispositions, admin_client, reverse("telephony:dispositions"), "dispositions")

    def make_templates(n):
        TTSTemplate.objects.bulk_create(
            TTSTemplate(name=f"t{k}", text="Hi {name}", account=world["account"]) for k in _next(n)
        )

    _grow(make_templates, admin_client, reverse("tts:list"), "TTS templates")
