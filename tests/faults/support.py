"""What the fault and load tests share: real processes (workers, gunicorn) against the
test database, and an all-day calling window.

Subprocesses reach the test database through `DATABASE_URL`, exactly as a worker on
another machine would; the tests count at the provider (fake) and in our tables.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

# A worker env for tests that are not about calling windows or re-call gaps.
OPEN_HOURS = {
    "CAMPAIGN_COMPLIANCE_WINDOW_START": "00:00",
    "CAMPAIGN_COMPLIANCE_WINDOW_END": "24:00",
    "CAMPAIGN_MIN_RECALL_GAP_MINUTES": "0",
}


def database_url() -> str:
    """The test database as a `DATABASE_URL`, for processes started by the test."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def noon_zone() -> str:
    """An Etc/ zone where it is about noon now, so the all-day window is surely open."""
    offset = 12 - datetime.now(UTC).hour
    offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def worker_env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        **OPEN_HOURS,
        **extra,
    }


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `python <args>` in the project, its output appended to `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a SIGKILL of its group takes its children too
        )


def stop(proc: subprocess.Popen, *, timeout: float = 20) -> None:
    """Terminate a process started by `spawn` (and its children), killing it if it hangs."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 4):
    """The project under gunicorn on 127.0.0.1 (as `bench/common.py` serves it)."""
    port = free_port()
    args = ["-m", "gunicorn", "callcenter.wsgi", "-b", f"127.0.0.1:{port}"]
    args += ["-w", str(workers), "--threads", str(threads), "--log-level", "warning"]
    proc = spawn(args, env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(url + "/health/live/", timeout=5).ok:
                    break
            except requests.RequestException:
                pass  # not listening yet, or still loading the app
            assert time.monotonic() < deadline, "gunicorn did not start in 30 s"
            time.sleep(0.1)
        yield url
    finally:
        stop(proc)
