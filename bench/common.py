"""Shared pieces of the benchmarks: a throwaway server, timing, and the report.

Benchmarks measure and print; they assert nothing. Each result stands beside a baseline
measured in the same run, so the ratio holds on a noisy machine.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def setup_django(database_url: str | None = None) -> None:
    """Configure Django in this process against the benchmark database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    # One INFO line per queued task would bury the tables.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("django-q").setLevel(logging.WARNING)


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else a fresh SQLite file (migrated by `migrate_fresh`)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    path = Path(tempfile.mkdtemp(prefix="bench-")) / "bench.sqlite3"
    return f"sqlite:///{path}"


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on loopback HTTP, sharing this process's key for
    the credentials it encrypted while preparing the data."""
    from callcenter.settings import DEV_SECRET_KEY

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "False",
        "SECRET_KEY": "bench-" + "k" * 50,
        "CREDENTIALS_KEYS": os.environ.get("CREDENTIALS_KEYS", DEV_SECRET_KEY),
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback, no TLS proxy in front
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int | None = None, threads: int | None = None):
    """Serve the project with gunicorn on 127.0.0.1 for the duration of the block.

    BENCH_WORKERS / BENCH_THREADS override the shape (default 2 x 4) for both the
    measured and the baseline runs."""
    workers = workers or int(os.environ.get("BENCH_WORKERS", "2"))
    threads = threads or int(os.environ.get("BENCH_THREADS", "4"))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "callcenter.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/health/live/", timeout=1).ok:
                    break
            except requests.RequestException:  # not listening yet, or still importing Django
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def qcluster(env: dict[str, str]):
    """A django-q2 cluster (`manage.py qcluster`) for the duration of the block."""
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def arg(index: int, default: int) -> int:
    """Size argument `index` of the command line (1-based), else `default`."""
    return int(sys.argv[index]) if len(sys.argv) > index else default


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value / baseline, rounded; None when either is missing."""
    return round(value / baseline, 3) if value and baseline else None


def timed(fn, repeat: int) -> dict:
    """Call `fn` `repeat` times (after one warm-up call); p50/p95 in milliseconds."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "p50_ms": round(percentile(times, 50) * 1000, 1),
        "p95_ms": round(percentile(times, 95) * 1000, 1),
    }


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(latencies: list[float], seconds: float) -> dict:
    return {
        "count": len(latencies),
        "rate_per_s": round(len(latencies) / seconds, 1) if seconds else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
    }


def report(name: str, rows: list[dict]) -> None:
    """Print one JSON line and a human table; keep the JSON in bench/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"bench": name, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), "rows": rows}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2))
    print(json.dumps(payload))
    keys = list(dict.fromkeys(k for row in rows for k in row))
    widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(str(row.get(k, "")).ljust(widths[k]) for k in keys))
