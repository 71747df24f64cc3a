"""Browser journeys of the admin and supervisor pages: DIDs, agents, dispositions, masked
calls, TTS templates and the audit log."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import TTSTemplate
from telephony.models import DID, Agent, MaskedSession
from tests import factories
from tests.browser.conftest import login
from tests.telephony.helpers import deliver_all_events

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def _admin():
    return factories.make_user(None, is_staff=True, is_superuser=True)


def test_admin_searches_buys_assigns_and_releases_a_did(page):
    agent = factories.make_agent()
    ext = agent.extensions.get()
    login(page, _admin().username)
    page.get_by_role("link", name="DIDs").click()
    page.get_by_role("link", name="Search & buy numbers").click()
    page.get_by_label("Region").fill("Mumbai")
    page.get_by_role("button", name="Search").click()
    offer = page.get_by_test_id("offer").first
    number = offer.locator("td").first.inner_text()
    offer.get_by_role("link", name="Buy…").click()
    expect(page.get_by_role("heading", name=f"Buy {number}?")).to_be_visible()
    expect(page.get_by_test_id("cost")).to_have_text("500.00 per month")
    assert not DID.objects.filter(number=number).exists()
    page.get_by_role("button", name="Confirm purchase").click()
    expect(page.locator(".messages")).to_contain_text(f"Bought {number}")
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("unassigned")

    row.get_by_label(f"Assign {number} to").select_option(label=f"ext {ext.number} · {agent}")
    row.get_by_role("button", name="Assign").click()
    expect(page.locator("tr", has_text=number)).to_contain_text(f"ext {ext.number}")
    expect(page.locator("#toasts")).to_contain_text(f"assigned to ext {ext.number}")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text=number).get_by_role("button", name="Release").click()
    expect(page.locator("tr", has_text=number)).to_contain_text("Released")
    ext.refresh_from_db()
    assert (
        DID.objects.get(number=number).status == "released"
        and ext.did_id != DID.objects.get(number=number).pk
    )


def test_admin_creates_an_agent_then_sets_expiry_and_disables_them(page):
    account = factories.make_account()
    did = factories.make_did(account)
    login(page, _admin().username)
    page.get_by_role("link", name="Agents").click()
    page.get_by_role("link", name="New agent").click()
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Full name").fill("Nina Rao")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Extension").fill("3101")
    page.get_by_label("DID").select_option(label=did.number)
    page.get_by_role("button", name="Create agent").click()
    expect(page.locator("[data-field=password]")).to_be_visible()  # inline error, nothing saved
    assert not Agent.objects.filter(user__username="nina").exists()
    page.get_by_label("Password").fill("Corr3ct-Horse-Battery")
    page.get_by_role("button", name="Create agent").click()
    expect(page.locator(".messages")).to_contain_text("Agent nina created")
    row = page.get_by_test_id("agent-row").filter(has_text="Nina Rao")
    expect(row).to_contain_text("Offline")
    expect(row.get_by_test_id("calls-today")).to_have_text("0")

    soon = (timezone.localdate() + timedelta(days=30)).isoformat()
    row.get_by_label("Expiry of ext 3101").fill(soon)
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#toasts")).to_contain_text("Ext 3101 saved")
    page.get_by_test_id("agent-row").filter(has_text="Nina Rao").get_by_role(
        "button", name="Disable"
    ).click()
    expect(page.get_by_test_id("agent-row").filter(has_text="Nina Rao")).to_contain_text("Disabled")
    agent = Agent.objects.get(user__username="nina")
    assert not agent.enabled and agent.extensions.get().expires_on.isoformat() == soon


def test_admin_adds_and_syncs_dispositions_then_reads_the_audit_log(page):
    factories.make_account()
    login(page, _admin().username)
    page.get_by_role("link", name="Dispositions").click()
    page.get_by_label("Label").fill("Sale closed")
    page.get_by_label("Code").fill("sale")
    page.get_by_label("Sort order").fill("1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("disposition-row").first).to_contain_text("Sale closed")
    page.get_by_role("button", name="Sync its dispositions").click()
    expect(page.locator(".messages")).to_contain_text("already here")

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action starts with").fill("disposition.")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("audit-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Synced dispositions")
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)


def test_supervisor_starts_watches_and_cancels_a_masked_call_from_a_contact(page):
    account = factories.make_account()
    did = factories.make_did(account)
    contact = factories.make_contact("+919876500001", name="Meera Iyer")
    login(page, factories.make_user("supervisor").username)
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_test_id("masked-call").click()
    expect(page.get_by_label("Party B")).to_have_value("+919876500001")
    page.get_by_label("Over DID").select_option(label=f"{did.number} · {did.account.name}")
    page.get_by_label("Party A (rings first)").fill("98765 00099")
    page.get_by_role("button", name="Start masked call").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Active")
    expect(page.get_by_test_id("masked-call-status")).to_have_text("Queued")
    deliver_all_events()
    expect(page.get_by_test_id("masked-call-status")).to_have_text("Completed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel session").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Canceled")
    expect(page.locator("#toasts")).to_contain_text("Session canceled")
    page.get_by_role("link", name="← Masked calls").click()
    expect(page.locator("table")).to_contain_text("+919876500099 ↔ +919876500001")
    assert MaskedSession.objects.get().status == "canceled"


def test_supervisor_writes_a_tts_template_with_a_live_preview(page):
    factories.make_account(name="Sandbox")
    factories.make_contact("+919876500001", name="Meera Iyer", variables={"order_id": "ORD42"})
    login(page, factories.make_user("supervisor").username)
    page.get_by_role("link", name="TTS templates").click()
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name").fill("order_update")
    page.get_by_label("Text").fill("Hello {first_name}, order {order_id} ships with {courier}.")
    expect(page.get_by_test_id("preview")).to_have_text(
        "Hello Meera, order ORD42 ships with {courier}."
    )
    expect(page.get_by_test_id("unknown-vars")).to_contain_text("{courier}")
    page.get_by_label("Provider account").select_option(label="Sandbox")
    page.get_by_role("button", name="Save template").click()
    expect(page.locator("[data-field=text]")).to_contain_text("Unknown variables: {courier}")
    assert not TTSTemplate.objects.exists()
    page.get_by_label("Text").fill("Hello {first_name}, order {order_id} ships today.")
    expect(page.get_by_test_id("unknown-vars")).to_have_count(0)
    page.get_by_role("button", name="Save template").click()
    row = page.get_by_test_id("template-row").filter(has_text="order_update")
    expect(row).to_contain_text("Approved")
