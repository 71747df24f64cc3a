"""The contacts journey in the browser: search in any number format, edit with validation,
add to a list, mark do-not-call, send an SMS."""

import pytest
from playwright.sync_api import expect

from callcenter.models import AuditEntry
from contacts.models import ContactList, DNCEntry
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_supervisor_finds_edits_lists_and_marks_a_contact_dnc(page):
    supervisor = factories.make_user("supervisor")
    factories.make_account(name="Sandbox")
    contact = factories.make_contact("+919876543210", name="Kiran Rao")
    factories.make_contact("+919812345678", name="Other Person")
    ContactList.objects.create(name="VIP")
    login(page, supervisor.username)

    page.goto("/contacts/")
    page.get_by_label("Search contacts").fill("098765 43210")
    expect(page.locator("#results")).to_contain_text("Kiran Rao")
    expect(page.locator("#results")).not_to_contain_text("Other Person")
    page.get_by_role("link", name="Kiran Rao").click()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Phone").fill("12345")
    page.get_by_role("button", name="Save").click()
    expect(page.locator('[data-field="phone"]')).to_contain_text("Phone:")
    page.get_by_label("Phone").fill("+91 98765 43210")
    page.get_by_label("Name").fill("Kiran R. Rao")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Kiran R. Rao")).to_be_visible()

    page.get_by_label("Add to a list").select_option(label="VIP")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Added to VIP")
    assert contact.lists.filter(name="VIP").exists()

    page.get_by_label("SMS").fill("Your order ships today.")
    page.get_by_test_id("send-sms").click()
    expect(page.locator(".messages")).to_contain_text("Message sent to +919876543210")

    page.get_by_test_id("mark-dnc").click()
    expect(page.get_by_test_id("on-dnc")).to_be_visible()
    assert DNCEntry.objects.filter(phone="+919876543210").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"contact.update", "contact.list_add", "sms.send"} <= actions
