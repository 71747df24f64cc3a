"""Live updates: N agent workspaces and W wallboards driving gunicorn as the templates do,
today's design beside the stamped one, in the same run against the same server.

Usage: bench_live.py [--agents 50] [--wallboards 5] [--seconds 20] [--workers 2] [--threads 4]
(the issue's full size: --agents 500 --wallboards 20 --seconds 30, on a quiet machine).

Today's design, as the templates were: the workspace status every 1 s, the current call
every 1 s while live (3 s when idle), the callbacks every 15 s, each a full render; a
wallboard every 5 s. The stamped design, as the templates are now: a cookie-less probe
of the workspace's stamps every 1 s (static/js/dashboard.js) and, only when it says
"moved", htmx's authenticated fetch of the status (the call card out of band); the 30 s
fallback poll; callbacks every 15 s; a wallboard's 1 s pulse and 5 s poll, each with its
stamp (204 while unchanged). Each simulated browser keeps a keep-alive connection (the
probe one of its own, as a credentials-omitted fetch does).

Every 2 s a ringing call is answered through the real service path (call_apply_update
under a row lock, as the webhook drain does); the event latency is the time until the
agent's screen and each wallboard's "in progress" counter show it. Server CPU is read
from the gunicorn processes (/proc/<pid>/stat), not the machine: the load generator
shares the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import (
    ROOT,
    bench_database_url,
    free_port,
    migrate,
    percentile,
    report,
    server_env,
    setup_django,
)
from bench.live_client import Browser, element_vals, every, poll, query, status_vals

EVENT_EVERY = 2.0
PROBE = re.compile(r'data-live-probe="[^"?]+\?probe=([^"]+)"')
IN_PROGRESS = re.compile(r'kpi-in-progress"><span class="kpi-n">(\d+)<')


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--wallboards", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    return parser.parse_args()


def _users(prefix: str, count: int, role: str) -> list:
    from django.contrib.auth.models import Group, User

    group = Group.objects.get_or_create(name=role)[0]
    User.objects.bulk_create(
        [User(username=f"{prefix}{n}", password="!bench") for n in range(count)]
    )
    users = list(User.objects.filter(username__startswith=prefix).order_by("id"))
    through = User.groups.through
    through.objects.bulk_create([through(user_id=u.pk, group_id=group.pk) for u in users])
    return users


def _sessions(users: list) -> list[str]:
    """One logged-in session per user, written straight to the session table."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store, rows = SessionStore(), []
    expire = timezone.now() + timedelta(hours=8)
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "_touched": int(time.time()),
        }
        key = get_random_string(32)
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(rows)
    return [r.session_key for r in rows]


def prepare(agents: int, wallboards: int) -> dict:
    """Agents Ready, half of them with a ringing call (the event targets), supervisors."""
    from telephony.models import Agent, Call, ProviderAccount

    account = ProviderAccount.objects.create(name="Live bench", kind="sandbox")
    users = _users("live-agent-", agents, "agent")
    Agent.objects.bulk_create([Agent(user=u, state=Agent.State.READY) for u in users])
    rows = list(Agent.objects.order_by("user_id"))
    ringing = rows[: agents // 2]
    Agent.objects.filter(pk__in=[a.pk for a in ringing]).update(state=Agent.State.ON_CALL)
    Call.objects.bulk_create(
        [
            Call(
                account=account,
                call_type=Call.Type.CLICK_TO_CALL,
                agent=a,
                to_number=f"+9198765{n:05d}",
                status="ringing",
                provider_call_id=f"live-{n}",
            )
            for n, a in enumerate(ringing)
        ]
    )
    calls = dict(Call.objects.values_list("agent_id", "pk"))
    return {
        "agents": [
            {"session": s, "call": calls.get(a.pk)}
            for a, s in zip(rows, _sessions([a.user for a in rows]), strict=True)
        ],
        "boards": _sessions(_users("live-sup-", wallboards, "supervisor")),
    }


def answer(call_id: int) -> None:
    """The call is answered, through the path a webhook's drain takes."""
    from django.db import transaction

    from telephony.models import Call, CallEvent
    from telephony.providers.types import CallStatus, CallUpdate
    from telephony.services.callstate import call_apply_update

    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        update = CallUpdate(provider_call_id=call.provider_call_id, status=CallStatus.IN_PROGRESS)
        call_apply_update(call, update, source=CallEvent.Source.WEBHOOK)


class Phase:
    """One design under load: its clients, its events, its figures."""

    def __init__(self, name: str, stamped: bool, port: int, data: dict, calls: list[int]):
        self.name, self.stamped, self.port, self.data = name, stamped, port, data
        self.calls = calls  # the ringing calls this phase answers, in order
        self.stats = {"latency": [], "codes": {}, "bytes": 0}
        self.answered_at: dict[int, float] = {}  # call id -> when the service applied it
        self.answered_order: list[float] = []
        self.seen_calls: set[int] = set()
        self.agent_lag: list[float] = []
        self.board_lag: list[float] = []
        self.board_seen: dict[int, int] = {}
        self.base = 0

    def saw_call(self, call: int | None, body: str) -> None:
        at = self.answered_at.get(call)
        if at and "status-in_progress" in body and call not in self.seen_calls:
            self.seen_calls.add(call)
            self.agent_lag.append(time.monotonic() - at)

    async def workspace(self, agent: dict, until: float) -> None:
        """What the page load brings (the status and the call card; the full page needs
        collectstatic's manifest with DEBUG off), then the page's polls."""
        browser = Browser(self.port, agent["session"], self.stats)
        call, ws = agent["call"], "/workspace/"
        page = (await browser.get(ws + "state/"))[1] + (await browser.get(ws + "current/"))[1]

        def seen(body: str, vals: dict) -> dict:
            self.saw_call(call, body)
            return status_vals(body, vals) if self.stamped else element_vals(body, False)

        loops = [poll(browser, ws + "callbacks/", 15, until, {}, lambda b, v: {})]
        if self.stamped:
            loops += self.probed(browser, page, until, seen)
        else:  # today: the status every 1 s, the card every 1 s while live, else 3 s
            loops.append(poll(browser, ws + "state/", 1, until, element_vals(page, False), seen))
            loops.append(poll(browser, ws + "current/", 1 if call else 3, until, {}, seen))
        await asyncio.gather(*loops)

    def probed(self, browser: Browser, page: str, until: float, seen) -> list:
        """static/js/dashboard.js: a cookie-less probe every second; on anything but 204
        htmx's authenticated request fetches the status (and the card, out of band)."""
        probe = Browser(self.port, None, self.stats)
        state = {"vals": status_vals(page, {}), "token": PROBE.search(page).group(1)}
        url = "/workspace/state/"

        async def fetch() -> None:
            status, body = await browser.get(query(url, state["vals"]))
            if status == 200:
                state["vals"] = seen(body, state["vals"])
                token = PROBE.search(body)
                state["token"] = token.group(1) if token else state["token"]

        async def ask() -> None:
            status, _ = await probe.get(query(url, {"probe": state["token"], **state["vals"]}))
            if status != 204:
                await fetch()

        return [every(1, until, ask), every(30, until, fetch)]

    async def wallboard(self, n: int, session: str, until: float) -> None:
        browser = Browser(self.port, session, self.stats)

        def saw(body: str, vals: dict) -> dict:
            match = IN_PROGRESS.search(body)
            shown = int(match.group(1)) - self.base if match else 0
            for k in range(self.board_seen.get(n, 0), min(shown, len(self.answered_order))):
                self.board_lag.append(time.monotonic() - self.answered_order[k])
            self.board_seen[n] = max(self.board_seen.get(n, 0), shown)
            return element_vals(body, self.stamped)

        vals = element_vals((await browser.get("/wallboard/"))[1], self.stamped)
        loops = [poll(browser, "/wallboard/", 5, until, vals, saw)]
        if self.stamped:  # the template's 1 s pulse beside the 5 s refresh
            loops.append(poll(browser, "/wallboard/", 1, until, vals, saw))
        await asyncio.gather(*loops)

    async def events(self, until: float) -> None:
        await asyncio.sleep(3)  # every tab has rendered once
        for call in self.calls:
            if time.monotonic() + 2 > until:
                break
            await asyncio.to_thread(answer, call)
            now = time.monotonic()
            self.answered_at[call] = now
            self.answered_order.append(now)
            await asyncio.sleep(EVENT_EVERY)

    async def run(self, seconds: int) -> None:
        from telephony.models import Call

        self.base = await asyncio.to_thread(Call.objects.filter(status="in_progress").count)
        until = time.monotonic() + seconds
        loops = [self.events(until)]
        loops += [self.workspace(agent, until) for agent in self.data["agents"]]
        loops += [self.wallboard(n, s, until) for n, s in enumerate(self.data["boards"])]
        await asyncio.gather(*loops)


def _cpu_ticks(master: int) -> int:
    """utime + stime of the gunicorn master and its workers, in clock ticks."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended while we looked
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total


def serve(url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "callcenter.wsgi", "-b", f"127.0.0.1:{port}"]
    cmd += ["-k", "gthread", "-w", str(workers), "--threads", str(threads)]
    cmd += ["--keep-alive", "5", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(url))
    import requests

    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/live/", timeout=1).ok:
                return proc
        except requests.RequestException:  # still importing Django
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def ms(values: list[float], p: float) -> float:
    return round(percentile(values, p) * 1000, 1)


def figures(phase: Phase, seconds: float, ticks: int, args) -> dict:
    lat, lag = phase.stats["latency"], phase.agent_lag + phase.board_lag
    cores = ticks / os.sysconf("SC_CLK_TCK") / seconds
    return {
        "what": phase.name,
        "agents": len(phase.data["agents"]),
        "boards": len(phase.data["boards"]),
        "server": f"gthread {args.workers}x{args.threads}",
        "req_per_s": round(len(lat) / seconds, 1),
        "p50_ms": ms(lat, 50),
        "p95_ms": ms(lat, 95),
        "cpu_pct": round(100 * cores / os.cpu_count(), 1),
        "cpu_cores": round(cores, 2),
        "codes": dict(sorted(phase.stats["codes"].items())),
        "kb_per_s": round(phase.stats["bytes"] / 1024 / seconds, 1),
        "events": len(phase.answered_at),
        "agent_event_p95_ms": ms(phase.agent_lag, 95),
        "board_event_p95_ms": ms(phase.board_lag, 95),
        "event_max_ms": round(max(lag) * 1000) if lag else None,
    }


def main() -> None:
    args = _args()
    url = bench_database_url()
    if url.startswith("sqlite"):
        migrate(url)
    # The sessions are signed here and read by the server: one key (server_env's).
    os.environ["SECRET_KEY"] = "bench-" + "k" * 50
    setup_django(url)
    data = prepare(args.agents, args.wallboards)
    calls = [a["call"] for a in data["agents"] if a["call"]]
    half = len(calls) // 2
    port = free_port()
    proc = serve(url, port, args.workers, args.threads)
    rows = []
    try:
        designs = [("polling today", False, calls[:half]), ("stamped + probe", True, calls[half:])]
        for name, stamped, mine in designs:
            phase = Phase(name, stamped, port, data, mine)
            ticks, started = _cpu_ticks(proc.pid), time.monotonic()
            asyncio.run(phase.run(args.seconds))
            elapsed = time.monotonic() - started
            rows.append(figures(phase, elapsed, _cpu_ticks(proc.pid) - ticks, args))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    report("live", rows)


if __name__ == "__main__":
    main()
