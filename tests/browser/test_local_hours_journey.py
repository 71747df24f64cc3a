"""Calling hours in a real browser: the contact page shows the contact's local time, a
click-to-call outside the legal hours is refused with it, a callback is typed in the
contact's zone, and the campaign form warns of a gap under the global minimum."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, TTSTemplate
from contacts.models import Contact
from contacts.selectors.windows import zone_of
from telephony.models import Call, Callback
from telephony.services import call_click_to_call
from tests import factories
from tests.browser.conftest import login
from tests.campaigns.factories import make_list, phones
from tests.telephony.helpers import deliver_all_events
from tests.telephony.test_local_hours import LA, close_hours_now

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
SHOTS = Path("/tmp/shots/zones")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / name, full_page=True)


def test_click_to_call_outside_the_legal_hours_is_refused_in_the_page(page, settings):
    local = close_hours_now(settings, LA)
    agent = factories.make_agent()
    contact = factories.make_contact(LA, name="Lena Park", time_zone="")
    login(page, agent.user.username)
    page.goto(f"/contacts/{contact.pk}/")
    expect(page.get_by_test_id("local-time")).to_contain_text(f"{local} America/Los_Angeles")
    expect(page.get_by_test_id("calling-hours")).to_contain_text("Outside calling hours")
    page.get_by_test_id("call-button").click()
    panel = page.get_by_test_id("call-error")
    expect(panel).to_contain_text("Call not placed.")
    expect(panel).to_contain_text(f"{local} America/Los_Angeles for this contact")
    expect(page.get_by_test_id("call-anyway")).to_have_count(0)
    _shot(page, "contact-click-to-call-refused.png")
    assert not Call.objects.exists()


def test_a_multi_zone_contact_says_every_zone_must_allow(page, settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    agent = factories.make_agent()
    contact = factories.make_contact("+61412345678", name="Bruce Lee", time_zone="")
    Contact.objects.filter(pk=contact.pk).update(time_zone="Asia/Kolkata")
    login(page, agent.user.username)
    page.goto(f"/contacts/{contact.pk}/")
    note = page.get_by_test_id("zone-note")
    expect(note).to_contain_text("zones in Australia; calling only when all allow")
    expect(note).to_contain_text("“Asia/Kolkata” on the contact is not a zone of this number")
    page.locator("details summary").first.click()
    sydney = timezone.now().astimezone(zone_of("Australia/Sydney"))
    expect(page.get_by_text(f"Australia/Sydney: {sydney:%a %H:%M}")).to_be_visible()
    _shot(page, "contact-multi-zone.png")


def test_a_callback_is_typed_in_the_contacts_zone(page):
    agent = factories.make_agent()
    contact = factories.make_contact("+919876500001", name="Meera Iyer", time_zone="")
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    login(page, agent.user.username)
    page.goto(f"/calls/{call.pk}/")
    expect(page.get_by_text("Contact's local time")).to_be_visible()
    page.get_by_label("Outcome").select_option(label="Call back later")
    day = timezone.now().astimezone(zone_of("Asia/Kolkata")).date().replace(year=2099)
    page.get_by_label("Call back at").fill(f"{day:%Y-%m-%d}T10:30")
    zone = page.get_by_label("In the time zone of")
    expect(zone).to_have_value("Asia/Calcutta")
    expect(page.get_by_test_id("callback-clocks")).to_contain_text("Your time now:")
    expect(page.get_by_test_id("callback-clocks")).to_contain_text("The contact's:")
    _shot(page, "callback-form.png")
    page.get_by_role("button", name="Save disposition").click()
    expect(page.locator("#toasts")).to_contain_text("Disposition saved")
    due = Callback.objects.get().due_at
    assert due == datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)  # 10:30 IST


def test_the_campaign_form_warns_of_a_gap_under_the_minimum(page, settings):
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 30
    supervisor = factories.make_user("supervisor")
    account = factories.make_account(name="Sandbox")
    did = factories.make_did(account, "+911143104567")
    contact_list = make_list(phones(2, suffix="0001"))
    contact_list.name = "Spring leads"
    contact_list.save(update_fields=["name"])
    TTSTemplate.objects.create(name="reminder", text="Hello {name}.")
    login(page, supervisor.username)
    page.goto("/campaigns/new/")
    page.get_by_label("Name").fill("Short gaps")
    page.get_by_label("Spring leads").check()
    page.get_by_label("Account").select_option(label="Sandbox")
    page.get_by_label("DID (caller ID)").select_option(label=f"{did.number} · Sandbox")
    page.get_by_label("TTS template").select_option(label="reminder")
    page.get_by_label("Minutes between retries").fill("10, 60")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator("[data-field=gap_between_retries]")).to_contain_text(
        "Gaps under 30 minutes (10) will be stretched to 30"
    )
    assert not Campaign.objects.exists()
    page.locator("[data-field=gap_between_retries]").scroll_into_view_if_needed()
    _shot(page, "campaign-form-gap-warning.png")
    page.get_by_label("Save anyway: the shorter gaps wait the minimum").check()
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Draft")
    assert Campaign.objects.get().gap_between_retries == [10, 60]
