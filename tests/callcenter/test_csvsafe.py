"""One `csv_safe` for every CSV export (issue 18.8, issue 17.18), table-tested."""

import csv
import io

import pytest
from django.urls import reverse

from common import csvsafe
from contacts.imports import importer
from telephony.models import Call
from telephony.views import calls as views_calls

CASES = [
    # (cell, what the export writes)
    ("=1+1", "'=1+1"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\r=1", "'\r'=1"),
    (" =1+1", "' =1+1"),  # a leading space before =
    ("   @SUM(A1)", "'   @SUM(A1)"),
    ("\u00a0=1", "'\u00a0=1"),  # no-break space
    ("\u3000=1", "'\u3000=1"),  # ideographic space
    ("＝1+1", "'＝1+1"),  # full-width forms
    ("＋1", "'＋1"),
    ("－1+1", "'－1+1"),
    ("＠SUM(A1)", "'＠SUM(A1)"),
    ("﹦1", "'﹦1"),  # small equals sign
    (";=1+1", ";'=1+1"),  # a spreadsheet splitting on ; reads a second cell
    ("a;=1+1", "a;'=1+1"),
    ("a; =HYPERLINK(1)", "a;' =HYPERLINK(1)"),
    ("a,=1", "a,'=1"),
    ("a\t@x", "a\t'@x"),
    ("a\n=1", "a\n'=1"),
    ("=1;=2", "'=1;'=2"),
    # Left as they are: text, numbers, phones (a plain signed number runs nothing).
    ("Asha", "Asha"),
    ("+919876500001", "+919876500001"),
    ("+91 98765 00001", "+91 98765 00001"),
    ("-42", "-42"),
    ("Mumbai; +91 98765 00001", "Mumbai; +91 98765 00001"),
    ("Sharma, Asha", "Sharma, Asha"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (42, "42"),
]


@pytest.mark.parametrize(("cell", "expected"), CASES)
def test_csv_safe(cell, expected):
    assert csvsafe.csv_safe(cell) == expected


def test_every_export_uses_the_one_rule():
    assert views_calls.csv_safe is csvsafe.csv_safe
    assert importer.csv_safe is csvsafe.csv_safe
    assert importer.csv_safe_row is csvsafe.csv_safe_row


def test_the_calls_export_splits_into_no_formula_on_semicolons(client, supervisor, account):
    client.force_login(supervisor)
    Call.objects.create(
        account=account,
        to_number="+919800000041",
        status="completed",
        note=";=1+1",
    )
    resp = client.get(reverse("telephony:call_export"))
    text = b"".join(resp.streaming_content).decode()
    for line in text.splitlines()[1:]:
        # Read as a semicolon-separated file, ignoring quotes: no cell is a formula.
        for cell in line.split(";"):
            assert not cell.strip().strip('"').lstrip().startswith(("=", "+1", "@"))
    rows = list(csv.reader(io.StringIO(text)))
    assert dict(zip(rows[0], rows[1], strict=True))["Note"] == ";'=1+1"
