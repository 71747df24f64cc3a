"""The click-to-call journey in the browser through an IVR Solutions account and its fake."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from telephony.models import Agent, Call, Extension
from telephony.services.accounts import account_create
from tests import factories
from tests.browser.conftest import login
from tests.fakes.ivrsolutions import IVRSolutionsFake

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_agent_calls_through_ivr_solutions_and_sees_it_complete(page, live_server):
    fake = IVRSolutionsFake().start()
    fake.clock = datetime.now(UTC)
    try:
        account = account_create(
            actor=None,
            kind="ivrsolutions",
            name="IVR",
            base_url=fake.url,
            credentials={"api_token": fake.api_token},
        )
        fake.webhook_url = live_server.url + account.webhook_path
        fake.secret_key = account.webhook_secrets[0]
        agent = Agent.objects.create(user=factories.make_user("agent"))
        did = factories.make_did(account, "+911143104567")
        Extension.objects.create(account=account, number="2101", agent=agent, did=did)
        factories.make_contact("+919876543210", name="Ravi Iyer")
        fake.force_outcome("+919876543210", "answered")

        login(page, agent.user.username)
        page.goto("/contacts/")
        page.get_by_role("link", name="Ravi Iyer").click()
        page.get_by_test_id("call-button").click()
        status = page.get_by_test_id("call-status")
        expect(status).to_have_text("Queued")
        assert Call.objects.get().account == account
        fake.advance(300)  # the fake plays the call and posts signed webhooks to our inbox
        expect(status).to_have_text("Completed")
        expect(page.get_by_text("Duration")).to_be_visible()
    finally:
        fake.stop()
