"""Live updates: N agent workspaces and W wallboards driving gunicorn as the templates do,
today's design beside the stamped one, in the same run against the same server.

Usage: bench_live.py [--agents 50] [--wallboards 5] [--seconds 20] [--workers 2] [--threads 4]
(the issue's full size: --agents 500 --wallboards 20 --seconds 30, on a quiet machine).

Today's design, as the templates were: the workspace status every 1 s, the current call
every 1 s while live (3 s when idle), the callbacks every 15 s, each a full render; a
wallboard every 5 s. The pushed design, as the templates are now: each workspace holds
its event stream open (/workspace/events/, telephony/services/live_feed.py) and, only
when it says `moved`, htmx fetches the status (the call card out of band); the 30 s
fallback poll; callbacks every 15 s; a wallboard holds its stream and keeps its 5 s poll,
both stamped (204 while unchanged). Each simulated browser keeps a keep-alive connection
for its requests and one for its stream, as EventSource does.

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
from bench.live_client import Browser, element_vals, events, every, poll, query, status_vals

EVENT_EVERY = 2.0
IN_PROGRESS = re.compile(r'kpi-in-progress"><span class="kpi-n">(\d+)<')


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--wallboards", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    # One design alone, to study it (the figures are meant to be read side by side).
    parser.add_argument("--only", choices=("today", "pushed"))
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
        self.callbacks_vals: dict[int, dict] = {}  # a tab's callbacks card stamp, at load

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

        first = element_vals((await browser.get(ws + "callbacks/"))[1], self.stamped)
        self.opened()
        if self.stamped:
            self.callbacks_vals[id(browser)] = first
            loops = self.streamed(browser, agent, page, until, seen)
        else:  # today: the status every 1 s, the card every 1 s while live, else 3 s
            loops = [poll(browser, ws + "callbacks/", 15, until, {}, lambda b, v: {})]
            loops.append(poll(browser, ws + "state/", 1, until, element_vals(page, False), seen))
            loops.append(poll(browser, ws + "current/", 1 if call else 3, until, {}, seen))
        await asyncio.gather(*loops)

    def streamed(self, browser: Browser, agent: dict, page: str, until: float, seen) -> list:
        """static/js/dashboard.js: the workspace's event stream, opened with the stamps the
        page was drawn from; on `moved` htmx fetches the status (the card out of band) and
        the callbacks card, each with its stamp (204 when it was not the one that moved);
        both keep a 60 s fallback poll."""
        state = {"vals": status_vals(page, {}), "callbacks": self.callbacks_vals.pop(id(browser))}
        url, callbacks = "/workspace/state/", "/workspace/callbacks/"

        async def fetch() -> None:
            status, body = await browser.get(query(url, state["vals"]))
            if status == 200:
                state["vals"] = seen(body, state["vals"])

        async def fetch_callbacks() -> None:
            status, body = await browser.get(query(callbacks, state["callbacks"]))
            if status == 200:
                state["callbacks"] = element_vals(body, True)

        async def moved() -> None:
            await fetch()
            await fetch_callbacks()

        opened = query("/workspace/events/", {k: v for k, v in state["vals"].items() if k in "vc"})
        return [
            events(self.port, agent["session"], opened, until, moved),
            every(60, until, fetch),
            every(60, until, fetch_callbacks),
        ]

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
        self.opened()
        loops = [poll(browser, "/wallboard/", 5, until, vals, saw)]
        if self.stamped:  # the pulse: fetched when the board's event stream says `moved`
            state = {"vals": vals}

            async def fetch() -> None:
                status, body = await browser.get(query("/wallboard/", state["vals"]))
                if status == 200:
                    state["vals"] = saw(body, state["vals"])

            loops.append(
                events(self.port, session, query("/wallboard/events/", vals), until, fetch)
            )
        await asyncio.gather(*loops)

    async def events(self, until: float) -> None:
        for call in self.calls:
            if time.monotonic() + 2 > until:
                break
            await asyncio.to_thread(answer, call)
            now = time.monotonic()
            self.answered_at[call] = now
            self.answered_order.append(now)
            await asyncio.sleep(EVENT_EVERY)

    def opened(self) -> None:
        """One more tab has its first render (the page load); all of them: measure."""
        self.open_tabs += 1
        if self.open_tabs == len(self.data["agents"]) + len(self.data["boards"]):
            self.all_open.set()

    async def run(self, seconds: int, master: int) -> tuple[float, int]:
        """Open the tabs over a ramp (a team does not log in within one second), wait until
        every one has rendered (a login storm is not the steady state) and 2 s more, then
        measure `seconds`: requests, server CPU and events. Returns the measured window's
        length and the server's CPU ticks in it."""
        from telephony.models import Call

        self.base = await asyncio.to_thread(Call.objects.filter(status="in_progress").count)
        self.open_tabs, self.all_open = 0, asyncio.Event()
        agents, boards = self.data["agents"], self.data["boards"]
        ramp, forever = min(10.0, len(agents) / 50), float("inf")

        async def later(delay: float, tab) -> None:
            await asyncio.sleep(delay)
            await tab

        tabs = [
            asyncio.create_task(later(ramp * i / max(1, len(agents)), self.workspace(a, forever)))
            for i, a in enumerate(agents)
        ]
        tabs += [asyncio.create_task(self.wallboard(n, b, forever)) for n, b in enumerate(boards)]
        await asyncio.wait_for(self.all_open.wait(), 300)
        await asyncio.sleep(2)
        for key, empty in (("latency", []), ("codes", {}), ("bytes", 0)):
            self.stats[key] = empty  # the page loads are not the steady state
        ticks, start = _cpu_ticks(master), time.monotonic()
        await self.events(start + seconds)
        await asyncio.sleep(max(0.0, start + seconds - time.monotonic()))
        measured = (time.monotonic() - start, _cpu_ticks(master) - ticks)
        for tab in tabs:
            tab.cancel()
        await asyncio.gather(*tabs, return_exceptions=True)
        return measured


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


def figures(phase: Phase, seconds: float, ticks: int, args, threads: int) -> dict:
    lat, lag = phase.stats["latency"], phase.agent_lag + phase.board_lag
    cores = ticks / os.sysconf("SC_CLK_TCK") / seconds
    return {
        "what": phase.name,
        "agents": len(phase.data["agents"]),
        "boards": len(phase.data["boards"]),
        "server": f"gthread {args.workers}x{threads}",
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
    rows = []
    # Each open stream holds a gthread thread, and the kernel need not share connections
    # evenly between workers: the pushed design's server gets a thread per screen in each
    # worker (and its --threads for ordinary requests); today's keeps --threads.
    streams = args.agents + args.wallboards
    designs = [
        ("polling today", False, calls[:half], args.threads),
        ("stamped + pushed", True, calls[half:], args.threads + streams),
    ]
    for name, stamped, mine, threads in designs:
        if args.only and args.only != ("pushed" if stamped else "today"):
            continue
        port = free_port()
        proc = serve(url, port, args.workers, threads)
        try:
            phase = Phase(name, stamped, port, data, mine)
            elapsed, ticks = asyncio.run(phase.run(args.seconds, proc.pid))
            rows.append(figures(phase, elapsed, ticks, args, threads))
        finally:
            proc.terminate()  # open streams hold a graceful stop for their whole length
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    report("live", rows)


if __name__ == "__main__":
    main()
