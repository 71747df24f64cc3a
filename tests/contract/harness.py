"""Harnesses for the shared contract suite: one per provider, the same shape for all.

A harness gives a configured adapter that talks to its fake over real HTTP (or the
sandbox), the numbers the fake accepts, a way to play calls forward, and the webhooks the
provider sent (captured by a tiny receiver on 127.0.0.1). Provider modules register a
factory with `@register("kind")`; the suite in test_contract*.py runs every test against
every registered provider that declares the test's capability.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from telephony.providers.base import AccountConfig, CallUpdate, Provider


@dataclass
class Harness:
    kind: str
    provider: Provider
    did_number: str  # E.164, owned by the account at the fake
    extension: str  # an agent extension the fake knows
    customer_number: str  # E.164 the fake accepts and will answer
    advance: Callable[[float], None]  # play calls forward this many seconds
    webhooks: Callable[[], list[tuple[bytes, dict[str, str]]]]  # (raw body, headers) sent so far
    webhook_secret: str = ""
    extras: dict = field(default_factory=dict)


class WebhookCatcher:
    """A tiny HTTP receiver that records every POST (body and lower-cased headers)."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        catcher = self

        class _Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                catcher.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def json_bodies(self) -> list[dict]:
        return [json.loads(body) for body, _ in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def updates_for(harness: Harness, call_id: str) -> list[CallUpdate]:
    """The updates about `call_id` in the webhooks the provider sent so far, each verified."""
    out = []
    for body, headers in harness.webhooks():
        harness.provider.verify_webhook(body=body, headers=headers, now=datetime.now(UTC))
        out += [
            u
            for u in harness.provider.parse_webhook(body, headers)
            if u.provider_call_id == call_id
        ]
    return out


HarnessFactory = Callable[[], Iterator[Harness]]
HARNESSES: dict[str, HarnessFactory] = {}


def register(kind: str) -> Callable[[HarnessFactory], HarnessFactory]:
    def decorator(factory: HarnessFactory) -> HarnessFactory:
        HARNESSES[kind] = factory
        return factory

    return decorator


def config(
    kind: str, *, base_url: str = "", credentials: dict | None = None, **kw
) -> AccountConfig:
    """An AccountConfig for adapter-level tests (no guard: the guard is tested on its own)."""
    return AccountConfig(
        account_id=kw.pop("account_id", 1),
        kind=kind,
        name=f"{kind} test",
        credentials=credentials or {},
        base_url=base_url,
        connect_timeout=kw.pop("connect_timeout", 2.0),
        read_timeout=kw.pop("read_timeout", 2.0),
        **kw,
    )
