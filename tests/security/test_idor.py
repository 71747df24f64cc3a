"""IDOR: agent B, logged in, uses agent A's ids in URLs. Every one is a 404 (ids reveal
nothing), every POST changes nothing, and lists and exports leave A's rows out."""

import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from contacts.models import DNCEntry
from telephony.models import Call, Callback
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.security.conftest import add_recording, make_call


@pytest.fixture
def rows_of_a(account, agent):
    contact = factories.make_contact("+919876500021", name="Private Person", assigned_to=agent.user)
    call = make_call(account, agent=agent, contact=contact, note="A's private note")
    add_recording(call)
    callback = Callback.objects.create(contact=contact, agent=agent, due_at=call.created_at)
    campaign = make_campaign(account=account, lists=[make_list(["+919876500022"])])
    return {"contact": contact, "call": call, "callback": callback, "campaign": campaign}


def _requests(rows):
    contact, call = rows["contact"].pk, rows["call"].pk
    campaign = rows["campaign"].pk
    get = [
        ("telephony:call_detail", [call]),
        ("telephony:call_recording", [call]),
        ("contacts:detail", [contact]),
        ("contacts:edit", [contact]),
        ("campaigns:detail", [campaign]),
        ("campaigns:edit", [campaign]),
        ("campaigns:live", [campaign]),
        ("campaigns:export", [campaign]),
        ("campaigns:dnc", [campaign]),
    ]
    post = [
        ("telephony:call_disposition", [call], {"disposition": 1, "note": "B was here"}),
        ("telephony:workspace_wrap_up", [call], {"disposition": 1, "note": "B was here"}),
        ("telephony:call_contact", [contact], {}),
        ("telephony:contact_sms", [contact], {"text": "hi"}),
        ("telephony:contact_export", [contact], {}),
        ("telephony:contact_erase", [contact], {"confirm": "erase"}),
        ("telephony:callback_close", [rows["callback"].pk], {"status": "done"}),
        ("contacts:edit", [contact], {"phone": "+919876500029", "name": "Hijacked"}),
        ("contacts:mark_dnc", [contact], {}),
        ("contacts:add_to_list", [contact], {"list": 1}),
        ("campaigns:action", [campaign, "start"], {}),
        ("campaigns:edit", [campaign], {"name": "Hijacked"}),
        ("campaigns:dnc", [campaign], {"numbers": "+919876500023"}),
    ]
    return get, post


def test_agent_b_gets_404_for_every_row_of_agent_a(client, agent_b, rows_of_a):
    client.force_login(agent_b.user)
    audit_before = AuditEntry.objects.count()
    get, post = _requests(rows_of_a)
    wrong = []
    for name, args in get:
        status = client.get(reverse(name, args=args)).status_code
        if status != 404:
            wrong.append(f"GET {name} -> {status}")
    for name, args, data in post:
        status = client.post(reverse(name, args=args), data).status_code
        if status != 404:
            wrong.append(f"POST {name} -> {status}")
    assert not wrong, wrong
    call = Call.objects.get(pk=rows_of_a["call"].pk)
    assert call.note == "A's private note" and call.disposition_id is None
    contact = rows_of_a["contact"]
    contact.refresh_from_db()
    assert contact.name == "Private Person" and contact.erased_at is None
    assert not DNCEntry.objects.exists()
    assert Call.objects.count() == 1
    rows_of_a["campaign"].refresh_from_db()
    assert rows_of_a["campaign"].status == "draft"
    assert AuditEntry.objects.count() == audit_before


def test_lists_and_exports_leave_agent_a_rows_out(client, agent_b, rows_of_a):
    client.force_login(agent_b.user)
    for url in (reverse("telephony:calls"), reverse("contacts:list")):
        page = client.get(url).content.decode()
        assert "Private Person" not in page and "+919876500021" not in page
    export = b"".join(client.get(reverse("telephony:call_export")).streaming_content).decode()
    assert "+919876500021" not in export
    search = client.get(reverse("contacts:list"), {"q": "+919876500021"}).content.decode()
    assert "Private Person" not in search


def test_agent_a_reaches_the_same_rows(client, agent, rows_of_a):
    """The control: the owner gets 200 on the URLs B was refused."""
    client.force_login(agent.user)
    for name, key in (("telephony:call_detail", "call"), ("contacts:detail", "contact")):
        assert client.get(reverse(name, args=[rows_of_a[key].pk])).status_code == 200
    recording = client.get(reverse("telephony:call_recording", args=[rows_of_a["call"].pk]))
    assert b"".join(recording.streaming_content) == b"RIFF-test-audio"
