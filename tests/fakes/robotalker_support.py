"""Shared set-up of the Robotalker fake's tests (test_robotalker_fake*.py): the key, the doc's
event keys, a webhook receiver, request helpers and the `fake` and `receiver` fixtures (see
tests/fakes/support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakes.robotalker import PATHS, RobotalkerFake
from tests.fakes.support import Inbox, requester, running

KEY = "robotalker-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
api = requester(PATHS, AUTH)
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


class Receiver(Inbox):
    """Our inbox for Robotalker's webhooks, at any path; `posts` is (path, headers, raw body)."""

    @property
    def posts(self) -> list[tuple[str, dict[str, str], bytes]]:
        return list(self.deliveries)

    def url(self, path: str = "/hook") -> str:
        return self.address(path)

    def events(self, path: str = "/hook") -> list[dict[str, Any]]:
        return self.payloads(path)


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[RobotalkerFake]:
    yield from running(RobotalkerFake(seed=0).start())


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    yield from running(Receiver())


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
