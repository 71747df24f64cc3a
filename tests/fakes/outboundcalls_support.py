"""Shared set-up of the OutboundCalls.ai fake's tests (test_outboundcalls_fake*.py): the key
and secret, a webhook receiver, request helpers and a campaign ready to start."""

from __future__ import annotations

import json
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

import requests

from tests.fakes.outboundcalls import PATHS, OutboundCallsFake
from tests.fakes.outboundcalls_shapes import EXTRA_FIELDS

KEY = "oc-test-key"
SECRET = "oc-webhook-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}
# The doc's six webhook events.
DOC_EVENTS = {
    "call.started",
    "call.completed",
    "call.failed",
    "campaign.completed",
    "contact.updated",
    "credits.low",
}


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every POST it gets."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval.
        Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/oc"

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        payloads = [json.loads(body) for _, body in self.posts]
        return [p for p in payloads if name is None or p["event"] == name]


def api(
    fake: OutboundCallsFake,
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


def ident(answer: dict[str, Any], *keys: str) -> str:
    """An id where the doc shows none: the fake answers it under one of `keys` (or under
    `data`), as a number or as text."""
    for scope in (answer, answer.get("data") or {}):
        for key in keys:
            if scope.get(key) is not None:
                return str(scope[key])
    raise AssertionError(f"none of {keys} in {answer}")


def list_id_of(imported: dict[str, Any]) -> str:
    return ident(imported, "list_id", "contact_list_id", "id")


def plain(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without the extra fields the fake adds to some answers."""
    return {k: v for k, v in answer.items() if k not in EXTRA_FIELDS}


def amount(value: Any) -> Decimal:
    """A credit amount: the fake sends 5, 5.0 or "5.00" in turn (the doc shows none)."""
    assert not isinstance(value, bool) and isinstance(value, int | float | str), value
    return Decimal(str(value))


def phones(count: int, start: int = 0) -> list[str]:
    return [f"+4420794600{start + i:02d}" for i in range(count)]


def setup_campaign(
    fake: OutboundCallsFake, numbers: list[str], **fields: Any
) -> tuple[str, dict[str, str]]:
    """An agent, a list of `numbers` and a draft campaign; (campaign id, number -> contact)."""
    agent = api(fake, "create_agent", {"name": "Ava", "first_message": "Hi, it's Ava."}).json()
    rows = [{"phone_number": n, "first_name": f"P{i}"} for i, n in enumerate(numbers)]
    list_id = list_id_of(api(fake, "import_contacts", {"contacts": rows}).json())
    body = {
        "name": "Q1 Sales Outreach",
        "agent_id": ident(agent, "id", "agent_id"),
        "contact_list_id": list_id,
        **fields,
    }
    created = api(fake, "create_campaign", body)
    assert created.status_code == 201, created.text
    contacts = api(fake, "list_contacts", params={"list_id": list_id}).json()
    return created.json()["id"], {c["phone_number"]: str(c["id"]) for c in contacts["data"]}


def start(fake: OutboundCallsFake, campaign_id: str) -> None:
    assert api(fake, "start_campaign", id=campaign_id).status_code in (200, 204)


def calls_to(fake: OutboundCallsFake, number: str) -> list[Any]:
    return [c for c in fake.calls.values() if c.phone_number == number]
