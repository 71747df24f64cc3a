"""Reading an uploaded contact file as a stream: what it is (text? which encoding and
delimiter? how many rows?) and its records, without ever holding the whole file.

`inspect_upload` runs once, at upload, over the whole file, so everything that would
make a later page or the import itself fail (binary data, undecodable text, broken
quoting, a giant cell, thousands of columns) is refused there with a message, and the
stored file is known to be readable. Memory stays flat: one line at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from callcenter.services.errors import ServiceError

HEAD_BYTES = 64 * 1024
# A contact's longest field is an email (254); variables feed TTS text. 10,000 characters
# leaves room for any honest cell and refuses the 2 MB ones that broke the pages.
MAX_CELL = 10_000
# Each column is one field of the mapping form; Django refuses a form with more than
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields, so the limit sits well below that.
MAX_COLUMNS = 200
csv.field_size_limit(1024 * 1024)  # beyond MAX_CELL: the explicit check gives the message

# Signatures of the files people upload by mistake, so the message can name them.
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF87a": "a GIF image",
    b"GIF89a": "a GIF image",
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or an Excel (.xlsx) workbook",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Excel (.xls) or Word document",
    b"\x1f\x8b": "a gzip archive",
    b"RIFF": "a media file (WebP, WAV or AVI)",
    b"\x7fELF": "a program",
}
TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1a")


@dataclass(frozen=True)
class FileFacts:
    encoding: str
    delimiter: str
    header: list[str]
    rows: int  # records after the header, blank lines included (they are skipped later)


class _Raw(io.RawIOBase):
    """Any object with `read(n)` (an upload, a storage file) as a raw stream, so the
    standard buffered text layer can split it into lines; closing it leaves the source
    open."""

    def __init__(self, source: IO[bytes]):
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def open_records(
    source: IO[bytes], *, encoding: str, delimiter: str, errors: str = "replace"
) -> Iterator[Iterator[list[str]]]:
    """The file's records, one at a time, from its start."""
    source.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_Raw(source), 256 * 1024), encoding=encoding, errors=errors, newline=""
    )
    try:
        # NUL bytes would stop the csv module mid-file; they are never meaningful in a cell.
        lines = (line.replace("\x00", "") if "\x00" in line else line for line in text)
        yield csv.reader(lines, delimiter=delimiter)
    finally:
        text.close()  # closes only the wrappers (see _Raw)


def inspect_upload(source: IO[bytes], *, name: str = "") -> FileFacts:
    """Read the whole file once; refuse what the import could not use, with a message."""
    source.seek(0)
    head = source.read(HEAD_BYTES)
    if not head.strip():
        raise ServiceError("The file is empty.")
    _refuse_binary(head, name)
    for encoding in _encodings(head):
        try:
            return _scan(source, head, encoding)
        except UnicodeDecodeError:
            continue  # not this encoding: the next one reads it
    raise AssertionError("latin-1 decodes every byte")


def _encodings(head: bytes) -> list[str]:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252, else Latin-1."""
    if head.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]
    return ["utf-8", "cp1252", "latin-1"]


def _refuse_binary(head: bytes, name: str) -> None:
    what = next((label for sig, label in SIGNATURES.items() if head.startswith(sig)), None)
    if what is None and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Text in any 8-bit encoding has next to no control bytes; images and programs are
        # full of them. A stray NUL in a UTF-8 CSV is tolerated (and stripped).
        controls = sum(1 for byte in head if byte < 32 and byte not in TEXT_CONTROLS)
        if controls > len(head) / 20 and not _is_utf8(head):
            what = "binary data, not text"
    if what:
        label = f"“{name}”" if name else "This file"
        raise ServiceError(
            f"{label} is not a CSV file: it looks like {what}. Save the list as CSV "
            "(comma-separated values, a text file) and upload that."
        )


def _is_utf8(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _scan(source: IO[bytes], head: bytes, encoding: str) -> FileFacts:
    delimiter = sniff_delimiter(head.decode(encoding, errors="ignore"))
    header: list[str] = []
    rows = -1
    with open_records(source, encoding=encoding, delimiter=delimiter, errors="strict") as reader:
        try:
            for rows, record in enumerate(reader):
                if rows == 0:
                    header = _header(record)
                longest = max(map(len, record), default=0)
                if longest > MAX_CELL:
                    raise ServiceError(_cell_message(rows + 1, longest))
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ServiceError(_cell_message(reader.line_num, None)) from exc
            raise ServiceError(
                f"The file is not readable as CSV near line {reader.line_num}: {exc}."
            ) from exc
    return FileFacts(encoding=encoding, delimiter=delimiter, header=header, rows=max(rows, 0))


def _header(record: list[str]) -> list[str]:
    header = [h.strip() for h in record]
    if not any(header):
        raise ServiceError("The first line must name the columns (e.g. name,phone).")
    if len(header) > MAX_COLUMNS:
        raise ServiceError(
            f"The file has {len(header):,} columns; up to {MAX_COLUMNS} are accepted. "
            "Remove the columns you do not need and upload it again."
        )
    if len(set(header)) != len(header):
        raise ServiceError("Two columns have the same name; rename one and upload again.")
    return header


def _cell_message(line: int, length: int | None) -> str:
    size = f"{length:,} characters" if length else "more than a million characters"
    return (
        f"Row {line} has a cell of {size}; cells of up to {MAX_CELL:,} characters are "
        "accepted. Is a quote left open? Fix the file and upload it again."
    )


def sniff_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# -- column names ---------------------------------------------------------------------------------
GUESSES = {
    "phone": {"phone", "mobile", "number", "phone number", "msisdn", "mobile number", "contact"},
    "name": {"name", "full name", "customer", "customer name", "contact name"},
    "email": {"email", "e mail", "email address", "mail"},
    "time_zone": {"time zone", "timezone", "tz"},
}
# "Mobile No.", "Phone No", "Contact No.", "Cell #": a phone word and a "number" word.
PHONE_WORDS = {"phone", "mobile", "cell", "cellphone", "telephone", "tel", "contact", "whatsapp"}
NUMBER_WORDS = {"no", "nr", "num", "number"}


def guess_role(column: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", column.lower()).split()
    key = " ".join(words)
    for role, names in GUESSES.items():
        if key in names:
            return role
    if words and set(words) <= PHONE_WORDS | NUMBER_WORDS and set(words) & PHONE_WORDS:
        return "phone"  # "Mobile Number", "Phone No", "Cell", "Mobile phone no."
    return "variable"
