"""The first journey, in a real browser: an agent calls a contact and wraps up the call."""

import pytest
from playwright.sync_api import expect

from callcenter.models import AuditEntry
from telephony.models import Call
from tests import factories
from tests.browser.conftest import ARTIFACTS, login
from tests.telephony.helpers import deliver_next_event

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_agent_calls_a_contact_and_sets_a_disposition(page):
    agent = factories.make_agent()
    contact = factories.make_contact("+919876500001", name="Meera Iyer")  # always answers
    login(page, agent.user.username)

    page.get_by_role("link", name="Contacts").click()
    page.get_by_label("Search contacts").fill("98765 00001")
    page.get_by_role("link", name="Meera Iyer").click()
    page.get_by_test_id("call-button").click()

    status = page.get_by_test_id("call-status")
    expect(status).to_have_text("Queued")
    expect(page.locator("#toasts")).to_contain_text("Calling Meera Iyer")
    call = Call.objects.get()
    assert call.agent == agent and call.contact == contact

    # The sandbox's events arrive through the inbox one by one; the page polls and follows.
    for expected in ("Ringing", "In progress", "Completed"):
        deliver_next_event()
        expect(status).to_have_text(expected)

    expect(page.get_by_text("Duration")).to_be_visible()
    page.get_by_label("Outcome").select_option(label="Interested")
    page.get_by_label("Note").fill("Wants the premium plan")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "call-wrapup.png", full_page=True)
    page.get_by_role("button", name="Save disposition").click()
    expect(page.get_by_test_id("saved-disposition")).to_have_text("Interested")
    expect(page.locator("#toasts")).to_contain_text("Disposition saved")

    call.refresh_from_db()
    assert call.status == "completed" and call.note == "Wants the premium plan"

    page.get_by_role("link", name="Calls").click()
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("+919876500001")
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("Interested")

    actions = set(
        AuditEntry.objects.filter(object_id=str(call.pk)).values_list("action", flat=True)
    )
    assert {"call.click_to_call", "call.completed", "call.disposition"} <= actions
    assert AuditEntry.objects.filter(action="auth.login", actor=agent.user).exists()


def test_call_shows_in_the_admin(page):
    admin = factories.make_user(None, is_staff=True, is_superuser=True)
    agent = factories.make_agent()
    contact = factories.make_contact("+919876500002")
    from telephony.services import call_click_to_call

    call = call_click_to_call(user=agent.user, contact=contact)
    login(page, admin.username)
    page.goto(f"/admin/telephony/call/{call.pk}/change/")
    expect(page.get_by_role("heading", name="Change call")).to_be_visible()
    expect(page.locator("#id_to_number")).to_have_value("+919876500002")


def test_refused_call_explains_why_in_the_page(page):
    agent = factories.make_agent()
    factories.make_contact("+919876500003", name="Opted Out", opted_out=True)
    login(page, agent.user.username)
    page.goto("/contacts/")
    page.get_by_role("link", name="Opted Out").click()
    page.get_by_test_id("call-button").click()
    expect(page.locator("#call-panel")).to_contain_text("opted out")
    assert Call.objects.count() == 0
