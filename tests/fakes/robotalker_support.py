"""Shared set-up of the Robotalker fake's tests (test_robotalker_fake*.py): the key, the doc's
event keys, a webhook receiver and request helpers."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import requests

from tests.fakes.robotalker import PATHS, RobotalkerFake

KEY = "robotalker-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CALLER_ID = "+18005550199"
# The keys of the doc's call.completed example; every call event carries exactly these.
DOC_EVENT_KEYS = {
    "event",
    "call_id",
    "to",
    "status",
    "duration_seconds",
    "dtmf_response",
    "amd_result",
    "timestamp",
}


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every POST it gets."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.path, dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval.
        Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def events(self, path: str = "/hook") -> list[dict[str, Any]]:
        return [json.loads(body) for p, _, body in self.posts if p == path]


def api(
    fake: RobotalkerFake,
    name: str,
    body: Any = None,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **ids: str,
) -> requests.Response:
    method, path, _ = PATHS[name]
    url = fake.base_url + path.format(**ids)
    headers = AUTH if headers is None else headers
    return requests.request(method, url, json=body, params=params, headers=headers, timeout=5)


def call_body(to: str = "+12125550100", **extra: Any) -> dict[str, Any]:
    return {"to": to, "from": CALLER_ID, "message": "Hello, this is a reminder.", **extra}


def place(fake: RobotalkerFake, body: dict[str, Any]) -> requests.Response:
    return api(fake, "create_call", body)


def numbers(count: int) -> list[str]:
    return [f"+1212555{1000 + i:04d}" for i in range(count)]


def ident(answer: dict[str, Any], key: str) -> str:
    """An id where the doc shows none: the fake answers `key` or `id`, number or text."""
    value = answer[key] if key in answer else answer["id"]
    return str(value)


def number_of(event: dict[str, Any]) -> str:
    """A contact.optout's number: the fake sends it as `to` or `phone` (doc: no payload)."""
    return event["to"] if "to" in event else event["phone"]
