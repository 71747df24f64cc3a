"""The dialer journey in a real browser: import a CSV, create a campaign, preview, start,
watch progress, pause, resume, see results and export them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, CampaignAttempt, TTSTemplate
from contacts.imports.importer import import_run
from contacts.models import ImportJob
from tests import factories
from tests.browser.conftest import ARTIFACTS, login
from tests.telephony.helpers import deliver_all_events

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]

CSV = (
    "Name,Mobile,order_id\n"
    "Asha Rao,98765 10001,ORD1\n"
    "Ravi Iyer,+91 98765 20001,ORD2\n"
    "Meera Das,9876530001,ORD3\n"
    "Dev Khan,9876540001,ORD4\n"
    "Priya Nair,9876550001,ORD5\n"
    "Bad Row,12345,ORD6\n"
)


def test_supervisor_imports_a_list_and_runs_a_campaign_to_completion(page, settings, tmp_path):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    settings.SANDBOX_SPEED = 0.01
    supervisor = factories.make_user("supervisor")
    account = factories.make_account(name="Sandbox")
    did = factories.make_did(account, "+911143104567")
    TTSTemplate.objects.create(name="reminder", text="Hello {name}, order {order_id}.")
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, supervisor.username)

    # 1. Import the CSV: upload, check the preview and mapping, watch it finish.
    page.get_by_role("link", name="Contact lists").click()
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("…or a new list named").fill("Spring leads")
    source = tmp_path / "leads.csv"
    source.write_text(CSV)
    page.get_by_label("CSV file").set_input_files(source)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_test_id("preview-row").first).to_contain_text("Asha Rao")
    expect(page.get_by_label("Mobile")).to_have_value("phone")
    expect(page.get_by_label("order_id")).to_have_value("variable")
    page.get_by_role("button", name="Start import").click()
    import_run(job_id=ImportJob.objects.get().pk)  # what the worker does
    expect(page.get_by_test_id("import-status")).to_have_text("Done")
    expect(page.get_by_test_id("import-created")).to_have_text("5")
    expect(page.get_by_test_id("import-errors")).to_have_text("1")

    # 2. Create the campaign.
    page.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Name").fill("Spring renewals")
    page.get_by_label("Spring leads").check()
    page.get_by_label("Account").select_option(label="Sandbox")
    page.get_by_label("DID (caller ID)").select_option(label=f"{did.number} · Sandbox")
    page.get_by_label("TTS template").select_option(label="reminder")
    page.get_by_label("Window start").fill("00:00")
    page.get_by_label("Window end").fill("23:59")
    for day in ("Sat", "Sun"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Concurrent calls").fill("2")
    page.get_by_role("button", name="Save campaign").click()

    # 3. The preview says who will be called.
    expect(page.get_by_test_id("preview-will-call")).to_have_text("5")
    campaign = Campaign.objects.get(name="Spring renewals")

    # 4. Start; the progress bar moves as the engine dials and calls end.
    page.get_by_test_id("campaign-start").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Running")
    engine_tick()
    deliver_all_events()
    expect(page.get_by_test_id("campaign-final")).to_have_text("2", timeout=8000)
    expect(page.get_by_test_id("campaign-health")).to_contain_text("Placed 2 calls")

    # 5. Pause: nothing new is dialed; resume and run to the end.
    page.get_by_test_id("campaign-pause").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Paused")
    engine_tick()
    assert CampaignAttempt.objects.count() == 2
    page.get_by_test_id("campaign-resume").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Running")
    for _ in range(10):
        engine_tick()
        deliver_all_events()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Completed", timeout=8000)
    expect(page.get_by_test_id("campaign-progress")).to_have_attribute("value", "100")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "campaign-completed.png", full_page=True)

    # 6. Results and export.
    page.reload()
    expect(page.get_by_test_id("result-row")).to_have_count(5)
    expect(page.get_by_test_id("result-row").first).to_contain_text("Answered")
    with page.expect_download() as download:
        page.get_by_test_id("export-link").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:4] == ["name", "phone", "state", "outcome"]
    assert {r[1] for r in rows[1:]} == {
        "+919876510001", "+919876520001", "+919876530001", "+919876540001", "+919876550001"
    }  # fmt: skip
    assert {r[3] for r in rows[1:]} == {"Answered"}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
