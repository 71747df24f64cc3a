"""Browser journeys: the wallboard, the agent workspace, the calls log and the call page."""

import os
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from telephony.models import Call, Callback
from telephony.services import call_click_to_call
from tests import factories
from tests.browser.conftest import ARTIFACTS, login
from tests.telephony.helpers import deliver_all_events, deliver_next_event

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
# The README's screenshots are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test
# run never dirties the work tree; otherwise they go to test-artifacts/.
DOCS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else ARTIFACTS
)


def _history(agent, count=12):
    """Finished calls spread over today and yesterday, so the charts have a shape."""
    account = agent.extensions.get().account
    statuses = ["completed", "completed", "no_answer", "busy", "voicemail", "completed", "failed"]
    now = timezone.now()
    for i in range(count):
        call = Call.objects.create(
            account=account,
            call_type="click_to_call",
            agent=agent,
            to_number="+919876500001",
            status=statuses[i % len(statuses)],
            duration_seconds=20 + i,
            answered_at=now if statuses[i % len(statuses)] == "completed" else None,
        )
        back = timedelta(hours=(i * 2) % 20 + (24 if i % 3 == 0 else 0))
        Call.objects.filter(pk=call.pk).update(created_at=min(now - back, now))


def _running_campaign(account):
    from campaigns.models import Campaign, CampaignEntry

    campaign = Campaign.objects.create(name="Renewals November", account=account, status="running")
    for i in range(10):
        contact = factories.make_contact(f"+9198765{i + 10:05d}", name=f"Lead {i}")
        CampaignEntry.objects.create(
            campaign=campaign,
            contact=contact,
            phone=contact.phone,
            state="done" if i < 4 else "pending",
        )


def test_wallboard_updates_itself_when_a_call_starts(page):
    supervisor = factories.make_user("supervisor", first_name="Sam")
    agent = factories.make_agent(
        user=factories.make_user("agent", first_name="Anil", last_name="Kumar")
    )
    factories.make_agent(account=agent.extensions.get().account)
    _history(agent)
    contact = factories.make_contact("+919876500001", name="Meera Iyer")
    _running_campaign(agent.extensions.get().account)
    login(page, supervisor.username)
    page.get_by_role("link", name="Wallboard").click()
    expect(page.get_by_role("heading", name="Wallboard")).to_be_visible()
    expect(page.get_by_test_id("kpi-ringing")).to_contain_text("0")
    expect(page.get_by_text("Provider health")).to_be_visible()
    expect(page.get_by_label("Renewals November: 40% done")).to_be_visible()

    call_click_to_call(user=agent.user, contact=contact)
    deliver_next_event()  # ringing
    # No reload: the wallboard polls and the counters move by themselves.
    expect(page.get_by_test_id("kpi-ringing")).to_contain_text("1", timeout=12_000)
    expect(page.get_by_test_id("agent-row").filter(has_text="Anil Kumar")).to_contain_text(
        "On a call"
    )
    deliver_next_event()  # answered
    expect(page.get_by_test_id("kpi-in-progress")).to_contain_text("1", timeout=12_000)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "screenshot-wallboard.png")


def test_agent_workspace_refuses_calls_until_ready_then_wraps_up_with_a_callback(page):
    agent = factories.make_agent()
    contact = factories.make_contact("+919876500001", name="Meera Iyer")
    login(page, agent.user.username)
    page.get_by_role("link", name="My workspace").click()
    expect(page.get_by_test_id("my-state")).to_have_text("Ready")

    page.get_by_label("Pause reason").select_option("Lunch")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("my-state")).to_have_text("Paused")
    expect(page.get_by_test_id("pause-reason")).to_have_text("Lunch")
    expect(page.locator("#toasts")).to_contain_text("You are paused")

    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_test_id("call-button").click()
    expect(page.locator("#call-panel")).to_contain_text("Set yourself Ready")
    assert not Call.objects.exists()

    page.get_by_role("link", name="My workspace").click()
    page.get_by_role("button", name="Ready").click()
    expect(page.get_by_test_id("my-state")).to_have_text("Ready")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_test_id("call-button").click()
    expect(page.get_by_test_id("call-status")).to_have_text("Queued")

    page.get_by_role("link", name="My workspace").click()
    expect(page.get_by_test_id("my-state")).to_have_text("On a call")
    expect(page.get_by_test_id("current-status")).to_have_text("Queued")
    for expected in ("Ringing", "In progress", "Completed"):
        deliver_next_event()
        expect(page.get_by_test_id("current-status")).to_have_text(expected)
    expect(page.get_by_test_id("my-state")).to_have_text("Wrap-up")
    expect(page.get_by_text("Wrap-up time")).to_be_visible()

    page.get_by_label("Outcome").select_option(label="Call back later")
    page.get_by_label("Note").fill("Call after 6pm")
    page.get_by_role("button", name="Save wrap-up").click()
    expect(page.locator("#ws-current")).to_contain_text("Call back at")  # inline error keeps form
    expect(page.locator("#toasts")).to_contain_text("Choose when to call back")
    # The form reads the time in the contact's zone (Indian number) unless told otherwise.
    in_india = timezone.localtime(timezone.now() + timedelta(hours=3), ZoneInfo("Asia/Kolkata"))
    due = in_india.strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Call back at").fill(due)
    page.get_by_role("button", name="Save wrap-up").click()
    expect(page.locator("#toasts")).to_contain_text("Wrap-up saved")
    expect(page.locator("#ws-current")).to_contain_text("No call in progress")
    expect(page.get_by_test_id("my-state")).to_have_text("Ready")
    callback = Callback.objects.get()
    assert callback.agent == agent and callback.note == "Call after 6pm"
    page.reload()
    expect(page.get_by_test_id("callback").first).to_contain_text("Meera Iyer")


def test_due_callback_raises_a_reminder(page):
    agent = factories.make_agent()
    contact = factories.make_contact("+919876500001", name="Ravi Das")
    Callback.objects.create(contact=contact, agent=agent, due_at=timezone.now())
    login(page, agent.user.username)  # agents land in their workspace
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.locator("#toasts")).to_contain_text("Callback due: Ravi Das")
    expect(page.get_by_test_id("callback")).to_contain_text("Due")


def test_calls_log_filters_and_the_call_page_shows_timeline_transcript_and_recording(page):
    supervisor = factories.make_user("supervisor")
    agent = factories.make_agent()
    answered = factories.make_contact("+919876500001", name="Meera Iyer")
    busy = factories.make_contact("+919876500002", name="Kiran Patel")
    first = call_click_to_call(user=agent.user, contact=answered)
    deliver_all_events()
    from telephony.models import Agent
    from telephony.services.recordings import recording_fetch

    recording_fetch(call_id=first.pk)
    Agent.objects.filter(pk=agent.pk).update(state="ready")
    call_click_to_call(user=agent.user, contact=busy)
    deliver_all_events()

    login(page, supervisor.username)
    page.get_by_role("link", name="Calls", exact=True).click()
    rows = page.locator("#results table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Status").select_option("busy")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kiran Patel")
    assert "status=busy" in page.url
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text()
    assert "+919876500002" in text and "+919876500001" not in text

    page.goto(f"/contacts/{answered.pk}/")
    expect(page.get_by_role("heading", name="Meera Iyer")).to_be_visible()
    expect(page.get_by_test_id("contact-timeline")).to_contain_text("Completed")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / "screenshot-contact.png")

    page.goto(f"/calls/{first.pk}/")
    expect(page.get_by_test_id("call-status")).to_have_text("Completed")
    expect(page.get_by_test_id("transcript")).to_contain_text("Oh yes, I was expecting your call.")
    expect(page.get_by_test_id("summary")).to_contain_text("Customer confirmed")
    expect(page.locator("audio")).to_be_visible()
    timeline = page.locator(".timeline li")
    expect(timeline).to_have_count(4)  # queued (dashboard) + 3 webhook events
    expect(timeline.nth(1)).to_contain_text("Webhook")
    page.screenshot(path=DOCS / "screenshot-call-page.png")  # 1280×800, for the README
