"""Click-to-call keeps the law's hours in the contact's own time; callbacks are typed in it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from common.phones import contact_zones
from contacts.selectors.hours import contact_local_hours
from contacts.selectors.windows import zone_of
from telephony.models import Agent, Call, Callback, Disposition
from telephony.services import call_click_to_call
from telephony.services.calls import OutsideHours
from tests import factories
from tests.telephony.helpers import deliver_all_events

LA = "+12135550123"
HX = {"HX-Request": "true"}


def close_hours_now(settings, phone: str) -> str:
    """Set the legal window so that it is shut now for `phone`; returns the local HH:MM."""
    zone = contact_zones(phone).zones[0]
    local = timezone.now().astimezone(zone_of(zone))
    if local.hour < 12:
        settings.CAMPAIGN_COMPLIANCE_WINDOW_START, settings.CAMPAIGN_COMPLIANCE_WINDOW_END = (
            "13:00",
            "23:00",
        )
    else:
        settings.CAMPAIGN_COMPLIANCE_WINDOW_START, settings.CAMPAIGN_COMPLIANCE_WINDOW_END = (
            "01:00",
            "11:00",
        )
    return f"{local:%H:%M}"


def test_a_los_angeles_number_at_0308_local_is_outside_the_legal_hours(settings, db):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    contact = factories.make_contact(LA, time_zone="")
    at = datetime(2026, 12, 2, 11, 8, tzinfo=UTC)  # 03:08 PST
    hours = contact_local_hours(contact, at=at)
    assert not hours.legal and hours.clock() == "Wed 03:08 America/Los_Angeles"


def test_click_to_call_outside_the_legal_hours_is_refused_with_the_local_time(settings, agent):
    local = close_hours_now(settings, LA)
    contact = factories.make_contact(LA, time_zone="")
    with pytest.raises(OutsideHours) as refused:
        call_click_to_call(user=agent.user, contact=contact, confirm_outside_hours=True)
    assert f"{local} America/Los_Angeles" in refused.value.message
    assert "outside the legal calling hours" in refused.value.message
    assert not refused.value.confirmable
    assert not Call.objects.exists()
    agent.refresh_from_db()
    assert agent.state == Agent.State.READY


def test_the_click_to_call_button_shows_the_refusal(settings, agent, client):
    local = close_hours_now(settings, LA)
    contact = factories.make_contact(LA, time_zone="")
    client.force_login(agent.user)
    response = client.post(reverse("telephony:call_contact", args=[contact.pk]), headers=HX)
    body = response.content.decode()
    assert "Call not placed." in body and local in body
    assert 'data-testid="call-anyway"' not in body
    assert not Call.objects.exists()


def test_click_to_call_outside_hours_needs_a_confirm_when_the_policy_allows(
    settings, agent, client
):
    settings.CALLS_MANUAL_OUTSIDE_HOURS = True
    close_hours_now(settings, LA)
    contact = factories.make_contact(LA, time_zone="")
    with pytest.raises(OutsideHours) as refused:
        call_click_to_call(user=agent.user, contact=contact)
    assert refused.value.confirmable and not Call.objects.exists()
    client.force_login(agent.user)
    url = reverse("telephony:call_contact", args=[contact.pk])
    assert 'data-testid="call-anyway"' in client.post(url, headers=HX).content.decode()
    assert not Call.objects.exists()

    client.post(url, {"confirm_outside_hours": "yes"}, headers=HX)
    call = Call.objects.get()
    entry = AuditEntry.objects.get(action="call.outside_hours")
    assert entry.object_id == str(call.pk) and "America/Los_Angeles" in entry.summary


def test_click_to_call_to_a_multi_zone_number_needs_every_zone_inside_the_hours(settings, agent):
    # 22:21 in Sydney, 19:21 in Perth: Perth alone would allow it.
    at = datetime(2026, 12, 1, 11, 21, tzinfo=UTC)
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    contact = factories.make_contact("+61412345678", time_zone="Asia/Kolkata")
    hours = contact_local_hours(contact, at=at)
    assert not hours.legal and hours.zones.several
    narrowed = factories.make_contact("+61412345679", time_zone="Australia/Perth")
    assert contact_local_hours(narrowed, at=at).legal


def test_the_live_click_to_call_card_shows_the_contacts_local_time(agent, client):
    contact = factories.make_contact("+919876500001")
    call = call_click_to_call(user=agent.user, contact=contact)
    client.force_login(agent.user)
    body = client.get(reverse("telephony:call_detail", args=[call.pk]), headers=HX)
    body = body.content.decode()
    assert "Contact's local time" in body and "Asia/Kolkata" in body


def test_a_callback_typed_as_1030_is_the_contacts_1030(agent, client):
    """An Indian contact's 10:30 is 05:00 UTC, not 10:30 UTC (16:00 in India)."""
    contact = factories.make_contact("+919876500001", time_zone="")
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    client.force_login(agent.user)
    page = client.get(reverse("telephony:call_detail", args=[call.pk])).content.decode()
    # The zone the form reads the time in is the contact's, and both clocks are shown.
    assert '<option value="Asia/Calcutta" selected>the contact: Asia/Calcutta</option>' in page
    assert "Your time now:" in page and "The contact&#x27;s:" in page
    day = timezone.now().astimezone(zone_of("Asia/Kolkata")).date().replace(year=2099)
    client.post(
        reverse("telephony:call_disposition", args=[call.pk]),
        {
            "disposition": Disposition.objects.get(code="callback").pk,
            "callback_at": f"{day:%Y-%m-%d}T10:30",
            "callback_zone": "Asia/Calcutta",
        },
    )
    callback = Callback.objects.get()
    assert callback.due_at == datetime.combine(day, datetime.min.time(), UTC).replace(hour=5)
