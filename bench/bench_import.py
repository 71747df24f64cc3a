"""CSV import: N rows (default 100,000; name, phone, email, a variable; 2% duplicates and
1% invalid numbers) through the importer's services (prepare, confirm, run: normalise,
dedupe, validate, batch insert), beside a baseline written by hand in the same run
(csv parse + phonenumbers + time zone + set dedupe + `bulk_create`).

Usage: bench_import.py [ROWS]
"""

from __future__ import annotations

import csv
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import arg, bench_database_url, migrate, ratio, report, setup_django


def make_csv(rows: int, seed: int = 5) -> bytes:
    """A contact file as a supervisor would upload it, in national formats."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Name", "Mobile", "Email", "order_id"])
    for i in range(rows):
        roll = rng.random()
        if roll < 0.01:
            phone = "12345"  # not a number
        elif roll < 0.03 and i:
            phone = f"098{(i - 1) % 100_000_000:08d}"  # the row before, again
        else:
            phone = f"098{i % 100_000_000:08d}"
        writer.writerow([f"Person {i}", phone, f"p{i}@example.com", f"ORD{i}"])
    return buffer.getvalue().encode()


def _by_hand(content: bytes, list_name: str) -> int:
    from django.db import transaction

    from common.phones import InvalidPhoneNumber, normalize_phone, phone_time_zone
    from contacts.models import Contact, ContactList

    contact_list = ContactList.objects.create(name=list_name)
    through = Contact.lists.through
    seen: set[str] = set()
    batch: list[Contact] = []
    created = 0

    def flush() -> None:
        with transaction.atomic():
            rows = Contact.objects.bulk_create(batch)
            through.objects.bulk_create(
                through(contact_id=c.pk, contactlist_id=contact_list.pk) for c in rows
            )

    reader = csv.reader(io.StringIO(content.decode()))
    next(reader)
    for name, mobile, email, order_id in reader:
        try:
            phone = normalize_phone(mobile, region="IN")
        except InvalidPhoneNumber:
            continue
        if phone in seen:
            continue
        seen.add(phone)
        zone = phone_time_zone(phone, fallback="Asia/Kolkata")
        batch.append(
            Contact(
                phone=phone,
                name=name,
                email=email,
                time_zone=zone,
                variables={"order_id": order_id},
            )
        )
        if len(batch) >= 1000:
            flush()
            created += len(batch)
            batch = []
    if batch:
        flush()
        created += len(batch)
    return created


def _service(content: bytes, list_name: str):
    from contacts.imports.importer import import_confirm, import_prepare, import_run
    from contacts.models import ContactList

    contact_list = ContactList.objects.create(name=list_name)
    job = import_prepare(user=None, contact_list=contact_list, name="bench.csv", content=content)
    mapping = {"Name": "name", "Mobile": "phone", "Email": "email", "order_id": "variable"}
    import_confirm(user=None, job=job, mapping=mapping, queue=False)
    return import_run(job_id=job.pk)


def main() -> None:
    url = bench_database_url()
    migrate(url)
    setup_django(url)
    from common.phones import _normalize

    rows_n = arg(1, 100_000)  # read here: bench_memory imports this module with its own argv
    content = make_csv(rows_n)
    stamp = time.time()
    # Each side starts with a cold number cache, so neither profits from the other's work.
    _normalize.cache_clear()
    started = time.perf_counter()
    created = _by_hand(content, f"bench by hand {stamp}")
    baseline = time.perf_counter() - started

    _normalize.cache_clear()
    started = time.perf_counter()
    job = _service(content, f"bench import {stamp}")
    seconds = time.perf_counter() - started

    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    base_row = {
        "what": "by hand (csv + phonenumbers + bulk_create)",
        "db": engine,
        "rows": rows_n,
        "seconds": round(baseline, 2),
        "rows_per_s": round(rows_n / baseline, 1),
        "created": created,
    }
    rows = [
        base_row,
        {
            "what": "import service (prepare, confirm, run)",
            "db": engine,
            "rows": rows_n,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows_n / seconds, 1),
            "created": job.created_count,
            "skipped": job.skipped_count,
            "errors": job.error_count,
            "ratio_to_baseline": ratio(rows_n / seconds, base_row["rows_per_s"]),
        },
    ]
    report("import", rows)


if __name__ == "__main__":
    main()
