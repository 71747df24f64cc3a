"""What the fakes' tests (and the adapters' tests over the fakes) share: a fixture's body for
a server they start, and a webhook inbox on 127.0.0.1. Each provider's `<kind>_support.py`
holds its own fixtures and the view of the inbox its tests read.

A test module takes a fixture in by name, `from ... import fake_fixture as fake_fixture`:
pytest finds fixtures among a module's names, and the redundant alias tells ruff that the
import is meant (a re-export), not unused. The fixture's own name (`fake`) differs from the
function's, so a test's parameter shadows nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any, NamedTuple, Protocol

import requests


class Stoppable(Protocol):
    def stop(self) -> None: ...


def running[S: Stoppable](server: S) -> Iterator[S]:
    """A fixture's body (`yield from running(...)`): the started `server`, stopped once the
    test is done."""
    try:
        yield server
    finally:
        server.stop()


def requester(paths: dict[str, tuple[str, str, str]], auth: dict[str, str]):
    """A provider's `api(fake, name, body, params=, headers=, **ids)`: the request to route
    `paths[name]` (method, path with `{id}` fields, source), sent with `auth` unless
    `headers` are given."""

    def api(
        fake: Any,
        name: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **ids: str,
    ) -> requests.Response:
        method, path, _ = paths[name]
        url = fake.base_url + path.format(**ids)
        headers = auth if headers is None else headers
        return requests.request(method, url, json=body, params=params, headers=headers, timeout=5)

    return api


class Delivery(NamedTuple):
    path: str
    headers: dict[str, str]  # as sent (the fakes' case)
    body: bytes


class Inbox:
    """A webhook endpoint on 127.0.0.1 that keeps every POST it gets, in `deliveries`."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        kept = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kept.append(Delivery(self.path, dict(self.headers.items()), body))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet; every POST is kept in `deliveries`

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval.
        Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def address(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def lowered(self) -> list[tuple[str, dict[str, str], bytes]]:
        """(path, headers, raw body) a delivery, the header names in lower case."""
        return [
            (d.path, {k.lower(): v for k, v in d.headers.items()}, d.body) for d in self.deliveries
        ]

    def payloads(self, path: str | None = None) -> list[Any]:
        """The bodies read as JSON, of the POSTs to `path` or of all."""
        return [json.loads(d.body) for d in self.deliveries if path in (None, d.path)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SecretPathInbox(Inbox):
    """The inbox of a provider that signs nothing, reached by a secret token in its URL; its
    `events` are (path, headers in lower case, raw body)."""

    @property
    def url(self) -> str:
        return self.address("/webhooks/s3cret-token/")

    @property
    def events(self) -> list[tuple[str, dict[str, str], bytes]]:
        return self.lowered()

    def bodies(self) -> list[dict[str, Any]]:
        return self.payloads()
