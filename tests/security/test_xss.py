"""XSS: script and attribute-breaking payloads in every text field a user or a provider
can set are rendered escaped on every page that shows them."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.models import CampaignEntry
from telephony.models import Callback, Disposition
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.security.conftest import make_call
from tests.telephony.helpers import post_signed_webhook

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'
PAYLOAD = f"{SCRIPT}{ATTRIBUTE}"
# What must never reach a page unescaped, whatever field carried it.
RAW_MARKERS = ("<script>alert", "<img src=x", "onerror=alert(2)>")


def _x(label: str) -> str:
    return f"{label} {PAYLOAD}"


@pytest.fixture
def hostile(client, account, agent, supervisor):
    contact = factories.make_contact(
        "+919876500031",
        name=_x("name"),
        variables={_x("varkey"): _x("varvalue")},
        assigned_to=agent.user,
    )
    disposition = Disposition.objects.create(code="hostile", label=_x("disposition"))
    call = make_call(
        account,
        agent=agent,
        contact=contact,
        provider_call_id="sbx-xss",
        status="ringing",
        note=_x("note"),
        disposition=disposition,
    )
    # The transcript and summary arrive from the provider, through the real inbox.
    body = json.dumps(
        {
            "event_id": "xss-1",
            "call_id": "sbx-xss",
            "event": "completed",
            "duration": 5,
            "transcript": [{"speaker": _x("speaker"), "text": _x("transcript")}],
            "summary": _x("summary"),
        }
    ).encode()
    response = post_signed_webhook(client, account, body=body)
    assert response.status_code == 200
    call.refresh_from_db()
    assert call.summary == _x("summary")  # stored as sent: escaping is the page's job
    contact_list = make_list(["+919876500032"])
    contact_list.name = _x("list")
    contact_list.save()
    campaign = make_campaign(account=account, lists=[contact_list], name=_x("campaign"))
    campaign.tts_template.name = _x("template")
    campaign.tts_template.text = _x("tts text") + " {name}"
    campaign.tts_template.save()
    CampaignEntry.objects.create(campaign=campaign, contact=contact, phone=contact.phone)
    Callback.objects.create(contact=contact, agent=agent, due_at=call.created_at, note=_x("cb"))
    return {"contact": contact, "call": call, "campaign": campaign, "agent": agent}


def _pages(rows):
    contact, call, campaign = rows["contact"].pk, rows["call"].pk, rows["campaign"].pk
    staff = [
        (reverse("contacts:list"), ["name"]),
        (reverse("contacts:detail", args=[contact]), ["name", "varkey", "varvalue"]),
        (reverse("contacts:edit", args=[contact]), ["name"]),
        (reverse("telephony:calls"), ["name"]),
        (reverse("telephony:call_detail", args=[call]), ["note", "summary", "transcript"]),
        (reverse("telephony:wallboard"), []),
        (reverse("telephony:callbacks"), ["cb"]),
        (reverse("telephony:dispositions"), ["disposition"]),
        (reverse("campaigns:list"), ["campaign"]),
        (reverse("campaigns:detail", args=[campaign]), ["campaign"]),
        (reverse("campaigns:edit", args=[campaign]), ["campaign"]),
        (reverse("tts:list"), ["template"]),
        (reverse("contacts:lists"), ["list"]),
        (reverse("audit"), []),
        (f"/admin/contacts/contact/{contact}/change/", ["name"]),
        (f"/admin/telephony/call/{call}/change/", ["note"]),
    ]
    agent = [
        (reverse("telephony:workspace"), []),
        (reverse("telephony:workspace_callbacks"), []),
        (reverse("contacts:detail", args=[contact]), ["name"]),
        (reverse("telephony:call_detail", args=[call]), ["note", "transcript"]),
    ]
    return staff, agent


def _check(client, url, labels, problems, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        problems.append(f"{url} -> {response.status_code}")
        return
    html = response.content.decode()
    for marker in RAW_MARKERS:
        if marker in html:
            problems.append(f"{url}: unescaped {marker!r}")
    for label in labels:
        # Shown, and shown escaped: proves the page really renders the field.
        if f"{label} &lt;script&gt;alert(1)&lt;/script&gt;" not in html:
            problems.append(f"{url}: {label} not shown escaped")


def test_payloads_are_escaped_on_every_page(client, admin_user, hostile):
    staff_pages, agent_pages = _pages(hostile)
    admin_user.is_superuser = True
    admin_user.save()
    problems = []
    client.force_login(admin_user)
    for url, labels in staff_pages:
        _check(client, url, labels, problems)
    for url, _ in staff_pages[:5]:
        _check(client, url, [], problems, htmx=True)  # the live partials too
    client.force_login(hostile["agent"].user)
    for url, labels in agent_pages:
        _check(client, url, labels, problems)
    assert not problems, "\n".join(problems)


def test_toasts_carry_names_as_json_text_never_markup():
    """HX-Trigger toasts hold the name as JSON; app.js sets it with textContent."""
    script = (Path(__file__).resolve().parents[2] / "static/js/app.js").read_text()
    assert "textContent = message" in script and "innerHTML" not in script
