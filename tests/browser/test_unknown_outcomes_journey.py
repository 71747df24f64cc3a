"""Browser journeys where a provider's answer could not be read: an admin settles a DID
purchase and a hosted campaign from the pages, and reads what a rejected webhook carried.
Over real HTTP against the IVR Solutions fake. SHOTS_DIR=... keeps screenshots."""

import os
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, TTSTemplate
from campaigns.services.lifecycle import campaign_start
from telephony.models import DID
from telephony.services.accounts import account_create
from tests import factories
from tests.browser.conftest import login
from tests.campaigns.factories import make_campaign, make_list
from tests.fakes.ivrsolutions import IVRSolutionsFake

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def _shot(page, name: str) -> None:
    if os.environ.get("SHOTS_DIR"):
        Path(os.environ["SHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(os.environ["SHOTS_DIR"]) / f"{name}.png", full_page=True)


@pytest.fixture
def ivr(settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    fake = IVRSolutionsFake(api_token="t", seed=2).start()
    account = account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": "t"},
        base_url=fake.url,
    )
    yield fake, account
    fake.stop()


def _admin():
    return factories.make_user(None, is_staff=True, is_superuser=True)


def test_an_unconfirmed_did_purchase_is_settled_from_the_did_list(page, ivr):
    fake, account = ivr
    login(page, _admin().username)
    page.goto("/dids/search/")
    page.get_by_label("Account").select_option(label="IVR")
    page.get_by_label("Region").fill("Delhi")
    page.get_by_role("button", name="Search").click()
    offer = page.get_by_test_id("offer").first
    number = offer.locator("td").first.inner_text()
    offer.get_by_role("link", name="Buy…").click()
    fake.inject("acted_garbage", path_contains="buy_did")  # bought, but the answer is HTML
    page.get_by_role("button", name="Confirm purchase").click()
    expect(page.locator(".messages")).to_contain_text("did not confirm the purchase")
    page.goto("/dids/")
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("Purchase unconfirmed")
    _shot(page, "did-unconfirmed")
    row.get_by_role("button", name="Check with the provider").click()
    expect(page.locator(".messages")).to_contain_text("1 purchase(s) confirmed")
    expect(page.locator("tr", has_text=number)).to_contain_text("Active")
    assert DID.objects.get(number=number).status == DID.Status.ACTIVE
    assert len(fake.requests_to("buy_did")) == 1


def test_a_hosted_campaign_created_in_doubt_is_settled_on_its_page(page, ivr):
    fake, account = ivr
    template = TTSTemplate.objects.create(
        name="api_order_confirm",
        text="Hello {name}.",
        account=account,
        provider_template_id="api_order_confirm",
        status="approved",
    )
    factories.make_did(account, "+911143104567")
    campaign = make_campaign(
        account=account,
        lists=[make_list(["+919876510001", "+919876520001"])],
        name="Renewals",
        content="tts",
        execution="hosted",
        tts_template=template,
    )
    fake.inject("acted_garbage", path_contains="create_text_dialer")
    campaign_start(user=None, campaign=campaign)
    engine_tick()
    login(page, _admin().username)
    page.goto(f"/campaigns/{campaign.pk}/")
    settle = page.get_by_test_id("hosted-settle")
    expect(page.get_by_test_id("campaign-health")).to_contain_text("unknown outcome")
    expect(settle).to_contain_text("Settle it")
    _shot(page, "campaign-hosted-doubt")
    dialer_id = str(next(iter(fake.state.dialers)))
    settle.get_by_label("The provider's campaign id").fill(dialer_id)
    settle.get_by_role("button", name="It exists: use this id").click()
    expect(page.locator(".messages")).to_contain_text(f"Using the provider's campaign {dialer_id}")
    campaign.refresh_from_db()
    assert campaign.hosted_id == dialer_id and not campaign.hosted_doubt
    assert campaign.status == Campaign.Status.RUNNING
    assert len(fake.requests_to("create_text_dialer")) == 1


def test_the_account_page_shows_what_a_rejected_webhook_carried(page, ivr, live_server):
    fake, account = ivr
    account.webhook_signature_required = True
    account.save()
    requests.post(
        live_server.url + account.webhook_path,
        data=b'{"event": "hangup", "logid": 1}',
        headers={"Content-Type": "application/json", "X-Api-Key": "k-123", "User-Agent": "IVR/2"},
        timeout=5,
    )
    login(page, _admin().username)
    page.goto(f"/accounts/{account.pk}/")
    expect(page.get_by_test_id("signature-settings")).to_contain_text("Yes: an event without")
    headers = page.get_by_test_id("rejected-headers")
    headers.locator("summary").click()
    expect(headers).to_contain_text("requires one")
    expect(headers).to_contain_text("IVR/2")
    expect(headers).not_to_contain_text("k-123")
    _shot(page, "account-rejected-headers")


def test_the_wallboard_says_when_an_account_keeps_failing_to_sync(page, ivr):
    from telephony.services.sync import account_sync

    fake, account = ivr
    account.credentials = {"api_token": "revoked"}
    account.save()
    for _ in range(3):
        with pytest.raises(Exception, match="rejected the API token"):
            account_sync(account=account, what="logs")
    login(page, _admin().username)
    page.goto("/wallboard/")
    banner = page.get_by_test_id("sync-banner")
    expect(banner).to_contain_text("IVR is not syncing: 3 sync steps failed in a row")
    _shot(page, "wallboard-sync-banner")
    banner.get_by_role("link", name="Check the account").click()
    expect(page.get_by_test_id("last-sync")).to_contain_text("3 failed in a row")
