"""Browser journey: a supervisor exports a contact's data from the contact page, then
erases it (with confirmation); the number stays un-callable."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from contacts.models import Contact
from contacts.services.dnc import is_dnc
from telephony.models import Call, Recording
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def test_supervisor_exports_then_erases_a_contact(page):
    supervisor = factories.make_user("supervisor")
    account = factories.make_account()
    contact = factories.make_contact("+919876500041", name="Meera Iyer")
    call = Call.objects.create(
        account=account,
        call_type="click_to_call",
        contact=contact,
        to_number=contact.phone,
        status="completed",
        note="Asked for the premium plan",
    )
    Recording.objects.create(
        call=call, file=ContentFile(b"RIFF-journey", name="r.wav"), content_type="audio/wav"
    )
    login(page, supervisor.username)
    page.goto(f"/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", name="Meera Iyer")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("export-contact").click()
    download = download_info.value
    assert download.suggested_filename == f"contact-{contact.pk}.zip"
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    document = json.loads(archive.read("contact.json"))
    assert document["contact"]["name"] == "Meera Iyer"
    assert document["calls"][0]["note"] == "Asked for the premium plan"
    assert archive.read(document["calls"][0]["recording"]) == b"RIFF-journey"

    # The box must be ticked: the browser refuses to send the form without it.
    page.get_by_test_id("erase-contact").click()
    assert Contact.objects.get(pk=contact.pk).erased_at is None
    page.get_by_test_id("erase-confirm").check()
    page.get_by_test_id("erase-contact").click()
    expect(page.locator(".messages")).to_contain_text("Erased: the contact, 1 call(s)")
    expect(page.get_by_test_id("erased")).to_be_visible()
    expect(page.get_by_text("Meera Iyer")).to_have_count(0)
    expect(page.get_by_test_id("export-contact")).to_have_count(0)
    erased = Contact.objects.get(pk=contact.pk)
    assert erased.phone == "" and erased.name == ""
    assert Call.objects.get(pk=call.pk).note == ""
    assert not Recording.objects.exists()
    assert is_dnc("+919876500041")
