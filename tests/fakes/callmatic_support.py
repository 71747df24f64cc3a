"""Shared set-up of the Callmatic fake's tests (test_callmatic_fake*.py): constants, the `fake`
and `receiver` fixtures (see tests/fakes/support.py), a webhook inbox and request helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.callmatic import SEEDED_CAMPAIGNS, TERMINAL_STATUSES, CallmaticFake
from tests.fakes.support import SecretPathInbox, running

DOC_CALL_KEYS = {
    "callId", "campaignId", "direction", "phoneNumber", "status", "triggeredAt",
    "startTime", "endTime", "duration", "transcript", "insights",
}  # fmt: skip
KEY = "callmatic-test-key"
CAMPAIGN = "a04c3520-c85c-4443-9ffd-7175625e9ecb"  # the doc's example campaign
OTHER_CAMPAIGN = next(c for c in SEEDED_CAMPAIGNS if c != CAMPAIGN)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")  # the doc's style


class Receiver(SecretPathInbox):
    """Our inbox for Callmatic's webhooks (Callmatic signs nothing)."""


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[CallmaticFake]:
    yield from running(CallmaticFake(seed=3).start())


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    yield from running(Receiver())


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
