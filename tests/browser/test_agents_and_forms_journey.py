"""Browser journeys of issue 17's pages: the wallboard's agent states, cancelling a live
masked call, the provider account form per kind, checkboxes and the error pages."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from callcenter.models import AuditEntry
from telephony.models import Agent, Call
from telephony.services.masked import masked_session_start
from tests import factories
from tests.browser.conftest import login
from tests.telephony.helpers import deliver_next_event

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
SHOTS = Path("/tmp/shots/agents-ui")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _named_agent(account, username: str, first: str, state: str, **fields) -> Agent:
    user = factories.make_user("agent", username=username, first_name=first, last_name="Agent")
    agent = factories.make_agent(account, user=user)
    Agent.objects.filter(pk=agent.pk).update(state=state, **fields)
    return agent


def test_wallboard_shows_offline_and_overrun_wrap_up_and_supervisor_sets_states(page):
    account = factories.make_account()
    ready = _named_agent(account, "anil", "Anil", "ready")
    late = _named_agent(
        account, "bela", "Bela", "wrap_up", state_since=timezone.now() - timedelta(minutes=3)
    )
    _named_agent(account, "chen", "Chen", "offline")
    # Anil and Bela are logged in somewhere (a live session each).
    for agent in (ready, late):
        assert Client().login(username=agent.user.username, password="pw-Secret-123")
    supervisor = factories.make_user("supervisor")
    login(page, supervisor.username)
    page.get_by_role("link", name="Wallboard").click()
    rows = page.get_by_test_id("agent-row")
    expect(rows.filter(has_text="Chen Agent")).to_contain_text("Offline")
    late_row = rows.filter(has_text="Bela Agent")
    expect(late_row).to_contain_text("over limit")
    expect(late_row).to_have_class("overdue")
    _shot(page, "wallboard-states")

    late_row.get_by_role("button", name="Set Bela Agent Ready").click()
    expect(page.locator("#toasts")).to_contain_text("Bela Agent is now ready")
    expect(rows.filter(has_text="Bela Agent").get_by_test_id("agent-state")).to_have_text("Ready")
    rows.filter(has_text="Anil Agent").get_by_role("button", name="Set Anil Agent Offline").click()
    expect(rows.filter(has_text="Anil Agent").get_by_test_id("agent-state")).to_have_text("Offline")
    # Chen has no session: Ready is refused with the reason, the state stays true.
    rows.filter(has_text="Chen Agent").get_by_role("button", name="Set Chen Agent Ready").click()
    expect(page.locator("#toasts")).to_contain_text("not logged in")
    expect(rows.filter(has_text="Chen Agent").get_by_test_id("agent-state")).to_have_text("Offline")
    _shot(page, "wallboard-after-supervisor")
    assert AuditEntry.objects.filter(action="agent.state.supervisor").count() == 2


def test_cancelling_a_masked_session_hangs_up_its_live_call(page):
    account = factories.make_account()
    did = factories.make_did(account)
    supervisor = factories.make_user("supervisor")
    session = masked_session_start(
        user=supervisor, did=did, party_a="+919876500099", party_b="+919876500001"
    )
    deliver_next_event()  # ringing
    login(page, supervisor.username)
    page.goto(f"/masked/{session.pk}/")
    expect(page.get_by_test_id("masked-call-status")).to_have_text("Ringing")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel session").click()
    expect(page.get_by_test_id("session-status")).to_have_text("Canceled")
    expect(page.get_by_test_id("masked-call-status")).to_have_text("Canceled")
    expect(page.locator("#toasts")).to_contain_text("live call was hung up")
    _shot(page, "masked-cancel")
    assert Call.objects.get().status == "canceled"


def test_account_form_shows_the_chosen_kinds_credentials_and_checkboxes_sit_by_labels(page):
    login(page, factories.make_user(None, is_staff=True, is_superuser=True).username)
    page.goto("/accounts/new/")
    page.get_by_label("Kind").select_option(label="IVR Solutions")
    expect(page.get_by_test_id("credentials-ivrsolutions")).to_be_visible()
    expect(page.get_by_test_id("credentials-callkaro")).to_be_hidden()
    expect(page.get_by_label("API token")).to_have_attribute("type", "password")
    _shot(page, "account-form-ivrsolutions")
    page.get_by_label("Kind").select_option(label="CallKaro")
    expect(page.get_by_test_id("credentials-ivrsolutions")).to_be_hidden()
    expect(page.get_by_label("Agent ID (agent_id)")).to_have_attribute("type", "text")
    checkbox = page.get_by_label("Webhook signature required")
    box = checkbox.bounding_box()
    label = page.locator("label", has=checkbox).bounding_box()
    assert box["width"] < 30 and label["x"] <= box["x"] < label["x"] + 5  # at the label's start
    assert label["height"] < 40  # one line
    _shot(page, "account-form-callkaro")
    page.get_by_label("Name").fill("CallKaro main")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("form.card")).to_contain_text("CallKaro needs its API key.")
    expect(page.locator("form.card")).to_contain_text("CallKaro needs its Agent ID (agent_id).")


def test_erase_confirmation_reads_on_one_line(page):
    contact = factories.make_contact("+919876500001", name="Meera Iyer")
    login(page, factories.make_user("supervisor").username)
    page.goto(f"/contacts/{contact.pk}/")
    label = page.locator("label", has=page.get_by_test_id("erase-confirm"))
    expect(label).to_contain_text("I understand this cannot be undone")
    assert label.bounding_box()["height"] < 30
    label.scroll_into_view_if_needed()
    _shot(page, "contact-erase-checkbox")


def test_error_pages_look_like_the_app(page, live_server, settings):
    settings.DEBUG = False
    login(page, factories.make_user("supervisor").username)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("Page not found")
    expect(page.get_by_role("link", name="Wallboard")).to_be_visible()
    _shot(page, "error-404")
    # A form posted after its CSRF cookie is gone (logged out elsewhere, a long-open tab).
    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.context.clear_cookies()
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password").fill("whatever-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("error-page")).to_contain_text("This form has expired")
    _shot(page, "error-403-csrf")
    # The 500 page as a server error sends it (rendered without request or database).
    html = render_to_string("500.html").replace('href="/', f'href="{live_server.url}/')
    page.set_content(html)
    expect(page.get_by_test_id("error-page")).to_contain_text("Something went wrong")
    _shot(page, "error-500")


def test_account_page_shows_the_webhook_url_of_the_port_it_runs_on(page, live_server, settings):
    settings.PUBLIC_BASE_URL = ""
    account = factories.make_account(name="Sandbox")
    login(page, factories.make_user(None, is_staff=True, is_superuser=True).username)
    page.goto(f"/accounts/{account.pk}/")
    expect(page.get_by_test_id("webhook-url")).to_have_value(live_server.url + account.webhook_path)
    _shot(page, "account-webhook-url")
