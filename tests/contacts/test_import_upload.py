"""The upload step: what it refuses (with a message, storing nothing), when the new list
is created, the column guesses, and the duplicate choice across lists."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from callcenter.services.errors import ServiceError
from contacts.imports.file import MAX_CELL, MAX_COLUMNS, guess_role
from contacts.imports.importer import import_confirm, import_prepare, import_run
from contacts.models import Contact, ContactList, ImportJob

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _upload(client, content: bytes, *, name: str = "list.csv", **fields):
    data = {"new_list": "Fresh", "default_region": "IN", "default_time_zone": "Asia/Kolkata"}
    data.update(fields)
    data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("contacts:import_upload"), data)


def _nothing_stored() -> bool:
    return not ImportJob.objects.exists() and not ContactList.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PNG + bytes(range(256)) * 4, "it looks like a PNG image"),
        (b"PK\x03\x04" + b"\x00" * 300, "Excel (.xlsx) workbook"),
        (bytes(range(256)) * 8, "binary data, not text"),
        (b'phone,notes\n9876500001,"' + b"x" * 2_000_000 + b'"\n', "cells of up to"),
        (b'phone,notes\n9876500001,"' + b"x" * (MAX_CELL + 1) + b'"\n', f"{MAX_CELL + 1:,}"),
        (",".join(f"c{i}" for i in range(5001)).encode() + b"\n", "5,001 columns"),
    ],
    ids=["png", "xlsx", "binary", "2mb-cell", "cell-over-limit", "5001-columns"],
)
def test_an_unusable_file_is_refused_at_upload_with_a_message_and_nothing_stored(
    client, supervisor, content, message
):
    client.force_login(supervisor)
    resp = _upload(client, content, name="photo.png" if content.startswith(PNG) else "a.csv")
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert _nothing_stored()


def test_all_errors_of_the_upload_form_show_at_once(client, supervisor):
    client.force_login(supervisor)
    resp = _upload(client, PNG, default_time_zone="Mars/Olympus", new_list="")
    html = resp.content.decode()
    assert "PNG image" in html and "not a known time zone" in html and "Choose a list" in html
    assert _nothing_stored()


def test_the_limits_fit_under_djangos_form_field_limit(settings):
    assert MAX_COLUMNS + 10 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_a_new_list_is_created_only_when_the_import_is_confirmed(client, supervisor):
    client.force_login(supervisor)
    resp = _upload(client, b"Mobile No.,Name\n9876500001,Asha\n")
    job = ImportJob.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("contacts:import", args=[job.pk])
    assert not ContactList.objects.exists()  # an abandoned upload leaves no empty list
    page = client.get(resp.url).content.decode()
    assert "Fresh" in page and "a new list" in page
    assert 'data-testid="duplicate-choice"' in page
    resp = client.post(
        resp.url, {"role-0": "phone", "role-1": "name", "duplicates": "link"}, follow=True
    )
    contact_list = ContactList.objects.get(name="Fresh")
    job.refresh_from_db()
    assert job.contact_list == contact_list and job.status in ("queued", "done")


def test_a_large_upload_goes_through_the_temporary_file_path(client, supervisor, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the on-disk upload handler, as for 50 MB
    client.force_login(supervisor)
    content = b"phone\n" + b"".join(f"98765{i:05d}\n".encode() for i in range(2000))
    assert _upload(client, content).status_code == 302
    job = ImportJob.objects.get()
    assert job.total_rows == 2000 and job.header == ["phone"]
    import_confirm(user=None, job=job, mapping=job.mapping, queue=False)
    assert import_run(job_id=job.pk).created_count == 2000


@pytest.mark.parametrize(
    "column",
    ["Mobile No.", "Mobile Number", "Phone No", "Cell", "Contact No.", "mobile_no", "Cell #",
     "Phone", "Telephone number"],
)  # fmt: skip
def test_phone_columns_are_recognised_under_their_usual_names(column):
    assert guess_role(column) == "phone"


@pytest.mark.parametrize("column", ["Customer No.", "Order No", "Contact Name", "Phone type"])
def test_other_columns_are_not_taken_for_the_phone(column):
    assert guess_role(column) != "phone"


def _into(list_name: str, content: bytes, *, duplicates: str) -> ImportJob:
    job = import_prepare(
        user=None, new_list_name=list_name, name="t.csv", content=io.BytesIO(content)
    )
    import_confirm(user=None, job=job, mapping=job.mapping, duplicates=duplicates, queue=False)
    return import_run(job_id=job.pk, batch_size=2)


@pytest.fixture
def in_two_lists():
    """+919876500001 in list A; list B imports it (twice) and a new number."""
    a = ContactList.objects.create(name="A")
    existing = Contact.objects.create(phone="+919876500001", name="Old", variables={"k": "1"})
    existing.lists.add(a)
    content = b"phone,name\n9876500001,New\n9876500002,Other\n+91 98765 00001,Newest\n"
    return existing, content


def test_link_is_the_default_and_adds_the_existing_contact_to_the_list(in_two_lists):
    existing, content = in_two_lists
    job = import_prepare(user=None, new_list_name="B", name="t.csv", content=content)
    assert job.duplicates == ImportJob.Duplicates.LINK
    job = _into("B2", content, duplicates=job.duplicates)
    assert Contact.objects.filter(phone=existing.phone).count() == 1  # one number, one contact
    existing.refresh_from_db()
    assert existing.name == "Old"
    assert set(existing.lists.values_list("name", flat=True)) == {"A", "B2"}
    assert (job.created_count, job.linked_count, job.skipped_count) == (1, 1, 1)
    assert ContactList.objects.get(name="B2").contacts.count() == 2


def test_update_changes_the_existing_contact_and_links_it(in_two_lists):
    existing, content = in_two_lists
    job = _into("B", content, duplicates="update")
    existing.refresh_from_db()
    assert Contact.objects.filter(phone=existing.phone).count() == 1
    assert existing.name == "Newest" and existing.variables == {"k": "1"}
    assert existing.lists.filter(name="B").exists()
    assert (job.created_count, job.updated_count) == (1, 2)


def test_create_anyway_makes_new_contacts(in_two_lists):
    existing, content = in_two_lists
    job = _into("B", content, duplicates="keep")
    assert Contact.objects.filter(phone=existing.phone).count() == 3
    assert not existing.lists.filter(name="B").exists() and job.created_count == 3


def test_an_unknown_duplicate_choice_is_refused_with_the_other_errors():
    job = import_prepare(user=None, new_list_name="B", name="t.csv", content=b"a,b\n1,2\n")
    with pytest.raises(ServiceError) as err:
        import_confirm(user=None, job=job, mapping={"a": "name", "b": "name"}, duplicates="x")
    assert "Only one column" in err.value.message and "phone number" in err.value.message
    assert "already belong" in err.value.message
    job.refresh_from_db()
    assert job.status == "mapping" and not ContactList.objects.exists()


def test_the_mapping_page_counts_numbers_that_already_belong_to_contacts(client, supervisor):
    existing = Contact.objects.create(phone="+919876500001")
    existing.lists.add(ContactList.objects.create(name="Leads"))
    job = import_prepare(
        user=None, new_list_name="B", name="t.csv", content=b"Phone No\n9876500001\n9876500009\n"
    )
    client.force_login(supervisor)
    html = client.get(reverse("contacts:import", args=[job.pk])).content.decode()
    assert "Of the first 2 rows, <strong>1</strong> number already belongs" in html
    assert "Leads" in html
