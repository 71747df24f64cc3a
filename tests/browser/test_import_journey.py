"""The import journey with the duplicate choice, the add-contact warning, and an agent's
view of a contact's timeline, in the browser. SHOTS_DIR=<folder> keeps a screenshot of
each page."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callcenter.services.audit import audit_log
from campaigns.models import CampaignAttempt, CampaignEntry
from contacts.imports.importer import import_run
from contacts.models import Contact, ContactList, ImportJob
from telephony.models import Call, Callback
from tests import factories
from tests.browser.conftest import login
from tests.campaigns.factories import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]
CSV = "Name,Mobile No.,order_id\nMeera Old,098765 00001,ORD1\nNew Person,9876500002,ORD2\n"


def _shot(page, name: str, locator=None) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (locator or page).screenshot(
            path=f"{folder}/{name}.png", **({} if locator else {"full_page": True})
        )


def test_import_links_an_existing_contact_and_refuses_a_png(page, tmp_path):
    supervisor = factories.make_user("supervisor")
    existing = factories.make_contact("+919876500001", name="Meera")
    existing.lists.add(ContactList.objects.create(name="Leads"))
    login(page, supervisor.username)

    # A PNG is refused at upload, with a message, and leaves no list behind.
    page.goto("/contacts/import/")
    page.get_by_label("…or a new list named").fill("Autumn")
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page.get_by_label("CSV file").set_input_files(picture)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.locator('[data-field="file"]')).to_contain_text("it looks like a PNG image")
    _shot(page, "import-upload-refused")
    assert not ImportJob.objects.exists() and not ContactList.objects.filter(name="Autumn")

    # A real CSV: "Mobile No." is the phone; the page says one number is already held.
    source = tmp_path / "autumn.csv"
    source.write_text(CSV)
    page.get_by_label("…or a new list named").fill("Autumn")
    page.get_by_label("CSV file").set_input_files(source)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Mobile No.")).to_have_value("phone")
    expect(page.get_by_test_id("duplicate-sample")).to_contain_text("1 number already belongs")
    expect(page.get_by_test_id("duplicate-sample")).to_contain_text("Leads")
    expect(page.get_by_test_id("duplicates-link")).to_be_checked()
    assert not ContactList.objects.filter(name="Autumn").exists()  # not until confirmed
    _shot(page, "import-mapping")
    _shot(page, "import-duplicate-choice", page.get_by_test_id("duplicate-choice"))

    page.get_by_role("button", name="Start import").click()
    import_run(job_id=ImportJob.objects.get().pk)  # what the worker does
    expect(page.get_by_test_id("import-status")).to_have_text("Done")
    expect(page.get_by_test_id("import-created")).to_have_text("1")
    expect(page.get_by_test_id("import-linked")).to_have_text("1")
    _shot(page, "import-done")
    assert Contact.objects.filter(phone="+919876500001").count() == 1
    assert set(existing.lists.values_list("name", flat=True)) == {"Leads", "Autumn"}


def test_add_contact_warns_on_a_number_already_held_and_links_to_it(page):
    supervisor = factories.make_user("supervisor")
    existing = factories.make_contact("+919876500001", name="Meera")
    existing.lists.add(ContactList.objects.create(name="Leads"))
    login(page, supervisor.username)
    page.goto("/contacts/")
    page.get_by_role("link", name="Add contact").click()
    page.get_by_label("Name").fill("Meera K")
    page.get_by_label("Phone").fill("098765 00001")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("duplicate-warning")).to_contain_text("Meera · +919876500001")
    _shot(page, "add-contact-warning")
    assert Contact.objects.count() == 1
    page.get_by_test_id("duplicate-link").click()
    expect(page.get_by_role("heading", name="Meera", exact=True)).to_be_visible()


def test_an_agent_sees_the_whole_timeline_of_a_contact(page):
    agent = factories.make_agent()
    account = agent.extensions.get().account
    colleague = factories.make_agent(account)
    contact = factories.make_contact("+919876500001", name="Meera")
    campaign_call = Call.objects.create(
        account=account, call_type="tts", to_number=contact.phone, contact=contact,
        status="no_answer",
    )  # fmt: skip
    entry = CampaignEntry.objects.create(
        campaign=make_campaign(account=account, name="Spring renewals"),
        contact=contact,
        phone=contact.phone,
    )
    CampaignAttempt.objects.create(entry=entry, number=1, call=campaign_call, phone=contact.phone)
    theirs = Call.objects.create(
        account=account, call_type="click_to_call", to_number=contact.phone, contact=contact,
        agent=colleague, status="completed", duration_seconds=42, note="Wants the gold plan",
    )  # fmt: skip
    audit_log(actor=colleague.user, action="sms.send", obj=contact, summary="SMS via Sandbox")
    Callback.objects.create(
        contact=contact, call=theirs, agent=colleague, note="Call after 5 pm",
        due_at=timezone.now() + timedelta(days=1), created_by=colleague.user,
    )  # fmt: skip
    login(page, agent.user.username)
    page.goto(f"/contacts/{contact.pk}/")
    timeline = page.get_by_test_id("contact-timeline")
    expect(timeline).to_contain_text("campaign Spring renewals")
    expect(timeline).to_contain_text("Wants the gold plan")
    expect(timeline).to_contain_text("Call after 5 pm")
    expect(timeline).to_contain_text("SMS via Sandbox")
    _shot(page, "agent-contact-timeline")
