"""Shared set-up of the CallKaro fake's tests (test_callkaro_fake*.py): constants, the `fake`
and `receiver` fixtures (see tests/fakes/support.py), a webhook inbox and request helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.fakes.callkaro import SEEDED_AGENTS, TERMINAL_STATUSES, CallKaroFake
from tests.fakes.support import SecretPathInbox, running

KEY = "callkaro-test-key"
AGENT = "6803fa770b666a64ab1694c1e"  # the doc's example agent
OTHER_AGENT = next(a for a in SEEDED_AGENTS if a != AGENT)
OBJECT_ID_RE = re.compile(r"^[0-9a-f]{24}$")
# The fake's clock starts at 2026-01-05 10:00 UTC, which is 15:30 in India.
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
WEBHOOK_KEYS = {
    "event", "call_id", "batch_id", "agent_id", "to_number", "status", "attempts",
    "priority", "metadata", "started_at", "answered_at", "ended_at", "duration",
}  # fmt: skip


class Receiver(SecretPathInbox):
    """Our inbox for CallKaro's webhooks (CallKaro signs nothing)."""


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[CallKaroFake]:
    yield from running(CallKaroFake(seed=5).start())


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    yield from running(Receiver())


def post(fake: CallKaroFake, path: str, body: Any, key: str | None = KEY) -> requests.Response:
    headers = {"X-API-KEY": key} if key is not None else {}
    return requests.post(fake.base_url + path, json=body, headers=headers, timeout=5)


def call(fake: CallKaroFake, number: str = "+919876543210", **fields: Any) -> str:
    body = {"to_number": number, "agent_id": AGENT, **fields}
    resp = post(fake, "/call/outbound", {k: v for k, v in body.items() if v is not None})
    assert resp.status_code == 200, resp.text
    return resp.json()["call_id"]


def play_out(fake: CallKaroFake, call_id: str, step: float = 1.0) -> list[str]:
    """Advance in small steps until the call ends; the distinct statuses seen, in order."""
    seen = [fake.calls[call_id].status]
    for _ in range(20000):
        if seen[-1] in TERMINAL_STATUSES:
            return seen
        fake.advance(step)
        if fake.calls[call_id].status != seen[-1]:
            seen.append(fake.calls[call_id].status)
    raise AssertionError(f"call never ended: {seen}")
