"""Shared set-up of the Callmatic fake's tests (test_callmatic_fake*.py): constants, a webhook
inbox and request helpers."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.fakes.callmatic import SEEDED_CAMPAIGNS, TERMINAL_STATUSES, CallmaticFake

DOC_CALL_KEYS = {
    "callId", "campaignId", "direction", "phoneNumber", "status", "triggeredAt",
    "startTime", "endTime", "duration", "transcript", "insights",
}  # fmt: skip
KEY = "callmatic-test-key"
CAMPAIGN = "a04c3520-c85c-4443-9ffd-7175625e9ecb"  # the doc's example campaign
OTHER_CAMPAIGN = next(c for c in SEEDED_CAMPAIGNS if c != CAMPAIGN)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")  # the doc's style


class Receiver:
    """A tiny webhook inbox on 127.0.0.1 that records every POST."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, str], bytes]] = []
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                events.append((self.path, headers, body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet; requests are recorded in `events`

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        # Callmatic signs nothing, so our inbox is reached by a secret token in the URL.
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/webhooks/s3cret-token/"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, _, body in self.events]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def post(fake: CallmaticFake, path: str, body: Any, key: str | None = KEY) -> requests.Response:
    headers = {"api-key": key} if key is not None else {}
    return requests.post(fake.base_url + path, json=body, headers=headers, timeout=5)


def get(fake: CallmaticFake, path: str, key: str | None = KEY) -> requests.Response:
    headers = {"api-key": key} if key is not None else {}
    return requests.get(fake.base_url + path, headers=headers, timeout=5)


def place(fake: CallmaticFake, number: str, **variables: Any) -> str:
    resp = post(
        fake, "/calls", {"campaignId": CAMPAIGN, "phoneNumber": number, "variables": variables}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["callId"]


def filled(call: dict[str, Any]) -> dict[str, Any]:
    """The doc's fields that hold something: what every shape of a call object shares."""
    return {k: v for k, v in call.items() if k in DOC_CALL_KEYS and v not in (None, [])}


def play_out(fake: CallmaticFake, call_id: str, step: float = 0.5) -> list[str]:
    """Advance in small steps until the call ends; the distinct statuses seen, in order."""
    seen = [get(fake, f"/calls/{call_id}").json()["data"]["status"]]
    for _ in range(2000):
        if seen[-1] in TERMINAL_STATUSES:
            return seen
        fake.advance(step)
        status = get(fake, f"/calls/{call_id}").json()["data"]["status"]
        if status != seen[-1]:
            seen.append(status)
    raise AssertionError(f"call never ended: {seen}")


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"98{start + i:08d}" for i in range(count)]
