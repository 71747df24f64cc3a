"""The contact page's timeline: an agent sees every call, SMS, note and callback of a
contact they may call, by anyone, while the calls list and call pages stay theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.services.audit import audit_log
from campaigns.models import CampaignAttempt, CampaignEntry
from telephony.models import Call, Callback
from tests import factories
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(agent, contact):
    """A pool contact called by a campaign and by a colleague, texted, and promised a
    callback; plus one call of the agent's own."""
    colleague = factories.make_agent(agent.extensions.get().account)
    account = agent.extensions.get().account
    campaign = make_campaign(account=account, name="Spring renewals")
    campaign_call = Call.objects.create(
        account=account, call_type="tts", to_number=contact.phone, contact=contact,
        status="no_answer",
    )  # fmt: skip
    entry = CampaignEntry.objects.create(campaign=campaign, contact=contact, phone=contact.phone)
    CampaignAttempt.objects.create(entry=entry, number=1, call=campaign_call, phone=contact.phone)
    theirs = Call.objects.create(
        account=account, call_type="click_to_call", to_number=contact.phone, contact=contact,
        agent=colleague, status="completed", duration_seconds=42, note="Wants the gold plan",
    )  # fmt: skip
    mine = Call.objects.create(
        account=account, call_type="click_to_call", to_number=contact.phone, contact=contact,
        agent=agent, status="busy",
    )  # fmt: skip
    audit_log(actor=colleague.user, action="sms.send", obj=contact, summary="SMS to x via Sandbox")
    Callback.objects.create(
        contact=contact, call=theirs, agent=colleague, note="Call after 5",
        due_at=timezone.now() + timedelta(days=1), created_by=colleague.user,
    )  # fmt: skip
    return {"campaign_call": campaign_call, "theirs": theirs, "mine": mine}


def test_agent_sees_every_call_sms_note_and_callback_of_a_contact(client, agent, contact, history):
    client.force_login(agent.user)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "No calls yet" not in html
    assert html.count('data-testid="timeline-call"') == 3
    assert "campaign Spring renewals" in html and "Wants the gold plan" in html
    assert 'data-testid="timeline-sms"' in html and "SMS to x via Sandbox" in html
    assert 'data-testid="timeline-callback"' in html and "Call after 5" in html


def test_only_the_agents_own_calls_link_to_their_pages(client, agent, contact, history):
    client.force_login(agent.user)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert reverse("telephony:call_detail", args=[history["mine"].pk]) in html
    for other in ("theirs", "campaign_call"):
        url = reverse("telephony:call_detail", args=[history[other].pk])
        assert url not in html
        assert client.get(url).status_code == 404  # the call pages stay scoped
    calls_page = client.get(reverse("telephony:calls")).content.decode()
    assert reverse("telephony:call_detail", args=[history["theirs"].pk]) not in calls_page


def test_an_agent_gets_no_timeline_of_a_contact_they_may_not_call(client, agent, history):
    other = factories.make_user("agent")
    hidden = factories.make_contact("+919876500099", assigned_to=other)
    Call.objects.create(
        account=history["mine"].account, call_type="tts", to_number=hidden.phone, contact=hidden
    )
    client.force_login(agent.user)
    assert client.get(reverse("contacts:detail", args=[hidden.pk])).status_code == 404


def test_a_contact_with_nothing_says_so(client, supervisor, contact):
    client.force_login(supervisor)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Nothing yet" in html and 'data-testid="contact-timeline"' not in html
