"""Peak RSS of a CSV import up to the upload limit (50 MB): the upload check, the
stored copy, confirm and the whole run, in a fresh process, streamed from a file on disk
as an upload's temporary file is. Beside it, in the same run: an idle process (Django
loaded, nothing done) and the old way of reading (the file's bytes and their text held
whole, as the importer did before it streamed), so the figures read as ratios.

Usage: bench_import_memory.py [MEGABYTES]   (default 10 for `make bench`; 50 is the upload
limit, about 15 minutes on 2 cores; target 250 MB)
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import (
    ROOT,
    arg,
    bench_database_url,
    migrate,
    peak_rss_mb,
    ratio,
    report,
    setup_django,
)

TARGET_MB = 250


def write_csv(path: Path, megabytes: int, seed: int = 7) -> int:
    """A contact file of about `megabytes`, written line by line (never held whole)."""
    rng = random.Random(seed)
    limit = megabytes * 1024 * 1024
    written, rows = 0, 0
    with path.open("w", newline="") as out:
        line = "Name,Mobile No.,Email,order_id,plan\n"
        while written + len(line) <= limit:
            out.write(line)
            written += len(line)
            i = rows
            rows += 1
            phone = "12345" if rng.random() < 0.01 else f"098{i % 100_000_000:08d}"
            line = f"Person {i},{phone},p{i}@example.com,ORD{i},p{i % 7}\n"
    return rows - 1


def _import(path: Path) -> dict:
    from contacts.imports.importer import import_confirm, import_prepare, import_run

    with path.open("rb") as handle:
        job = import_prepare(
            user=None, new_list_name=f"bench memory {time.time()}", name=path.name, content=handle
        )
    after_upload = peak_rss_mb()
    import_confirm(user=None, job=job, mapping=job.mapping, queue=False)
    job = import_run(job_id=job.pk)
    return {
        "rows": job.processed_rows,
        "created": job.created_count,
        "errors": job.error_count,
        "status": job.status,
        "peak_after_upload_mb": after_upload,
    }


def _read_whole(path: Path) -> dict:
    """What the importer did before: the bytes, then their text, both in memory at once."""
    content = path.read_bytes()
    text = content.decode("utf-8")
    return {"chars": len(text)}


def child(kind: str, url: str, path: str) -> None:
    setup_django(url)
    started = time.perf_counter()
    done = {
        "idle": lambda: {},
        "import": lambda: _import(Path(path)),
        "read_whole": lambda: _read_whole(Path(path)),
    }[kind]()
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "seconds": seconds, **done}))


def _run(kind: str, url: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, url, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    megabytes = arg(1, 10)
    url = bench_database_url()
    migrate(url)
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        path = Path(folder) / "contacts.csv"
        rows = write_csv(path, megabytes)
        size_mb = round(path.stat().st_size / 1024 / 1024, 1)
        idle = _run("idle", url, path)
        table = [{"what": "idle process (Django loaded)", "db": engine, **idle}]
        for kind, label in (
            ("read_whole", f"old way: {size_mb} MB file read whole (bytes + text)"),
            ("import", f"streamed import of {size_mb} MB, {rows:,} rows"),
        ):
            figures = _run(kind, url, path)
            table.append(
                {
                    "what": label,
                    "db": engine,
                    **figures,
                    "target_mb": TARGET_MB,
                    "x_idle": ratio(figures["peak_rss_mb"], idle["peak_rss_mb"]),
                }
            )
    report("import_memory", table)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
