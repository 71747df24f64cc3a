"""Browser: one login throttle for /login/ and /admin/login/, and a view-only admin for
supervisors (issue 18.2, 18.3, 17.12). Screenshots under SHOTS when it is set."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from callcenter.web.throttle import record_failure
from tests import factories
from tests.browser.conftest import login
from tests.campaigns.factories import make_campaign, make_list
from tests.security.conftest import make_call

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
SHOTS = Path(os.environ["SHOTS"]) if os.environ.get("SHOTS") else None


def _shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _try(page, url, username, password):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_admin_login_is_throttled_after_failures_on_the_dashboard_login(page):
    staff = factories.make_user("supervisor", is_staff=True)
    for _ in range(3):
        _try(page, "/login/", staff.username, "wrong-password")
        expect(page.get_by_text("Please enter a correct username")).to_be_visible()
    # A guesser who kept at it: 5 more failures, so the next try waits 2**5 s.
    for _ in range(5):
        record_failure(staff.username, "127.0.0.1")
    _try(page, "/login/", staff.username, "pw-Secret-123")
    expect(page.get_by_text("Too many failed logins")).to_be_visible()
    _shot(page, "login-throttled")
    _try(page, "/admin/login/", staff.username, "pw-Secret-123")
    expect(page.get_by_text("Too many failed logins")).to_be_visible()
    assert "/admin/login/" in page.url
    _shot(page, "admin-login-throttled")


def test_a_supervisor_sees_the_admin_view_only(page):
    supervisor = factories.make_user("supervisor", is_staff=True)
    call = make_call(factories.make_account(), recording_url="https://api.callmatic.ai/r/1")
    login(page, supervisor.username)
    page.goto(f"/admin/telephony/call/{call.pk}/change/")
    expect(page.get_by_role("heading", name="View call")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    _shot(page, "admin-call-view-only")


def test_the_admin_campaign_form_shows_the_dashboard_checks(page):
    admin = factories.make_user(None, is_staff=True, is_superuser=True)
    campaign = make_campaign(lists=[make_list(["+919876500061"])])
    login(page, admin.username)
    page.goto(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    page.locator("#id_window_start").fill("20:00")
    page.locator("#id_window_end").fill("08:00")
    page.locator("#id_no_of_call").fill("0")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The window must end after it starts.")).to_be_visible()
    expect(page.get_by_text("At least one concurrent call")).to_be_visible()
    expect(page.locator(".field-status .readonly")).to_have_text("Draft")
    _shot(page, "admin-campaign-errors")
