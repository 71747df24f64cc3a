"""The load's two clients, shared by the load test (which checks nothing is lost) and
bench/bench_webhook_load.py (which reports the pace): signed webhooks on an open-loop
schedule, and supervisors polling the wallboard as its hx-trigger does.

Plain Python, no pytest: the bench imports it after its own `django.setup()`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

import requests
from django.conf import settings
from django.test import Client

from telephony.models import WebhookEvent
from telephony.providers.sandbox.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests import factories

SENDERS = 32  # concurrent webhook connections, as a provider's delivery pool would use
POLL_SECONDS = 5  # the wallboard's own hx-trigger interval
WORDS = ("ringing", "answered", "completed")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.events: set[int] = set()

    def add(self, status: int, seconds: float, event: int | None = None) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if event is not None:
                self.events.add(event)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


@dataclass(frozen=True)
class Schedule:
    """Event i is due at start + i / rate; none is started after `seconds`, except the
    first `minimum`, which are always sent (late if need be) so that a slow machine still
    gives the checks a real load instead of failing on the pace."""

    rate: float
    seconds: float
    minimum: int = 0

    @property
    def total(self) -> int:
        return int(self.rate * self.seconds)


def _post_event(session, url: str, token: str, secret: str, call_id: str, i: int, tally: Tally):
    body = json.dumps({"event_id": f"load-{i}", "call_id": call_id, "event": WORDS[i % 3]}).encode()
    ts = int(time.time())
    headers = {
        SIGNATURE_HEADER: sign(body, secret, ts),
        TIMESTAMP_HEADER: str(ts),
        "Content-Type": "application/json",
    }
    sent = time.monotonic()
    try:
        resp = session.post(f"{url}/webhooks/{token}/", data=body, headers=headers, timeout=30)
    except requests.RequestException as exc:
        tally.error(f"event {i}: {exc!r}")
        return
    tally.add(resp.status_code, time.monotonic() - sent, event=i)
    if resp.status_code >= 300:
        tally.error(f"event {i}: HTTP {resp.status_code} {resp.text[:200]}")


def send_events(
    url: str, token: str, secret: str, call_ids: list[str], tally: Tally, schedule: Schedule
) -> float:
    """Open-loop, `SENDERS` connections. Returns the seconds it all took."""
    start = time.monotonic()

    def sender(k: int) -> None:
        session = requests.Session()
        for i in range(k, schedule.total, SENDERS):
            delay = start + i / schedule.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif i >= schedule.minimum and time.monotonic() - start >= schedule.seconds:
                return  # out of time: the events not started are not sent (nor counted)
            _post_event(session, url, token, secret, call_ids[i % len(call_ids)], i, tally)

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - start


def poll_wallboard(url: str, cookie: str, stop_at: float, tally: Tally, offset: float) -> None:
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, cookie)
    time.sleep(offset)
    while time.monotonic() < stop_at:
        sent = time.monotonic()
        try:
            resp = session.get(f"{url}/wallboard/", headers={"HX-Request": "true"}, timeout=30)
        except requests.RequestException as exc:
            tally.error(f"wallboard: {exc!r}")
        else:
            tally.add(resp.status_code, time.monotonic() - sent)
            if resp.status_code != 200 or 'id="wallboard"' not in resp.text:
                tally.error(f"wallboard: HTTP {resp.status_code} {resp.text[:200]}")
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - sent)))


def pollers(url: str, cookies: list[str], stop_at: float, tally: Tally) -> list[threading.Thread]:
    """One started thread per supervisor, their polls spread over the interval."""
    threads = [
        threading.Thread(
            target=poll_wallboard,
            args=(url, cookie, stop_at, tally, k * POLL_SECONDS / len(cookies)),
        )
        for k, cookie in enumerate(cookies)
    ]
    for t in threads:
        t.start()
    return threads


def supervisor_cookies(count: int) -> list[str]:
    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(factories.make_user("supervisor"))
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def wait_applied(stored, sent: int, *, bound: float = 90) -> float:
    """Seconds after the last event until `sent` of `stored` were applied (bounded)."""
    ended = time.monotonic()
    deadline = ended + bound
    while stored.filter(state=WebhookEvent.State.APPLIED).count() < sent:
        if time.monotonic() > deadline:
            break  # the caller's checks say what is missing
        time.sleep(0.5)
    return time.monotonic() - ended


def figures(events: Tally, pages: Tally, schedule: Schedule, took: float, drained: float):
    """The figures a person compares with the target (the rate asked)."""
    lat = sorted(events.latencies) or [0.0]
    return {
        "asked_per_s": schedule.rate,
        "seconds": schedule.seconds,
        "sent": len(events.events),
        "achieved_per_s": round(len(events.events) / took, 1),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 1),
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1),
        "wallboard_polls": sum(pages.statuses.values()),
        "applied_all_s_after_last": round(drained, 1),
    }
