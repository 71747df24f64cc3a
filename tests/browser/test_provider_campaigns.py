"""One small campaign per provider, started and watched in the browser (issue: every
provider usable end to end from the dashboard)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login
from tests.integration.test_provider_campaigns import (
    PROVIDERS,
    provider_campaign,
    run_until_complete,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


@pytest.mark.parametrize("kind", sorted(PROVIDERS))
def test_supervisor_runs_a_campaign_through_each_provider(kind, page, live_server, settings):
    with provider_campaign(kind, live_server, settings) as (fake, campaign):
        supervisor = factories.make_user("supervisor")
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, supervisor.username)
        page.goto(f"/campaigns/{campaign.pk}/")
        expect(page.get_by_test_id("preview-will-call")).to_have_text("3")
        page.get_by_test_id("campaign-start").click()
        expect(page.get_by_test_id("campaign-status")).to_have_text("Running")
        run_until_complete(fake, campaign)
        expect(page.get_by_test_id("campaign-status")).to_have_text("Completed", timeout=10_000)
        expect(page.get_by_test_id("campaign-progress")).to_have_attribute("value", "100")
        page.reload()
        expect(page.get_by_test_id("result-row")).to_have_count(3)
