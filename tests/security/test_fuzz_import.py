"""Hypothesis-generated CSV rows for the importer: no unhandled exception, every row either
imported or reported with a reason, and nothing half-written (every contact stored fits
its columns and has a valid E.164 number)."""

import csv
import io
import itertools

import phonenumbers
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contacts.imports.importer import import_confirm, import_prepare, import_run
from contacts.models import Contact, ContactList, ImportJob

HEADER = ["phone", "name", "email", "time zone", "plan"]
MAPPING = {"phone": "phone", "name": "name", "email": "email", "time zone": "time_zone",
           "plan": "variable"}  # fmt: skip
_names = itertools.count(1)

phones = st.sampled_from(
    ["+919876500001", "09876500002", "98765 00003", "+1 415 555 0100", "12", "+999", ""]
) | st.text(alphabet="+0123456789 -()", max_size=20)
cells = st.text(max_size=40) | st.sampled_from(["=HYPERLINK(1)", '"quoted, comma"', "\x00"])
# Valid by the email validator, yet longer than the 254-character column.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com"
emails = st.emails() | st.just(LONG_EMAIL) | cells
zones = st.sampled_from(["Asia/Kolkata", "America/New_York", "Mars/Base", "", "UTC"]) | cells
rows = st.lists(
    st.tuples(phones, st.text(max_size=200), emails, zones, cells).map(list)
    | st.lists(cells, max_size=8),  # ragged rows: too many or too few cells
    min_size=1,
    max_size=25,
)


def _csv(records) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(records)
    return buffer.getvalue().encode()


def _data_rows(content: bytes) -> int:
    """Rows the file really has, read as the importer reads them (blank lines are none)."""
    text = content.decode().replace("\x00", "")
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    return sum(1 for record in records if any(cell.strip() for cell in record))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(records=[["+919876500001", "Asha", LONG_EMAIL, "", ""]])
@example(records=[["+919876500001", "x" * 151, "", "", ""], ["+919876500001", "dup", "", "", ""]])
@given(records=rows)
def test_every_row_is_imported_or_reported(db, records):
    content = _csv(records)
    contact_list = ContactList.objects.create(name=f"fuzz {next(_names)}")
    before = Contact.objects.count()
    job = import_prepare(user=None, contact_list=contact_list, name="f.csv", content=content)
    job.delimiter = ","  # the file is written with commas; sniffing is not under test here
    job.header = HEADER
    job.save()
    import_confirm(user=None, job=job, mapping=MAPPING, queue=False)
    job = import_run(job_id=job.pk, batch_size=7)
    assert job.status == ImportJob.Status.DONE, job.message
    handled = (
        job.created_count + job.linked_count + job.updated_count + job.skipped_count
    ) + job.error_count
    assert handled == _data_rows(content)
    assert all(row and reason for row, _column, reason in job.errors_preview)
    assert Contact.objects.count() - before == job.created_count
    for contact in Contact.objects.filter(lists=contact_list):
        number = phonenumbers.parse(contact.phone, None)
        assert phonenumbers.is_valid_number(number)
        for field in Contact._meta.concrete_fields:
            value = getattr(contact, field.attname)
            if isinstance(value, str) and field.max_length:
                assert len(value) <= field.max_length, (field.name, value)
