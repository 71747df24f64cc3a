"""Shared set-up of the OutboundCalls.ai fake's tests (test_outboundcalls_fake*.py): the key
and secret, a webhook receiver, request helpers, a campaign ready to start and the
`receiver` and `fake` fixtures (see tests/fakes/support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.fakes.outboundcalls import PATHS, OutboundCallsFake
from tests.fakes.outboundcalls_shapes import EXTRA_FIELDS
from tests.fakes.support import Inbox, requester, running

KEY = "oc-test-key"
SECRET = "oc-webhook-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}
api = requester(PATHS, AUTH)
# The doc's six webhook events.
DOC_EVENTS = {
    "call.started",
    "call.completed",
    "call.failed",
    "campaign.completed",
    "contact.updated",
    "credits.low",
}


class Receiver(Inbox):
    """Our inbox for OutboundCalls.ai's webhooks; `posts` is (headers, raw body)."""

    @property
    def url(self) -> str:
        return self.address("/hooks/oc")

    @property
    def posts(self) -> list[tuple[dict[str, str], bytes]]:
        return [(d.headers, d.body) for d in self.deliveries]

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.payloads() if name is None or p["event"] == name]


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    yield from running(Receiver())


@pytest.fixture(name="fake")
def fake_fixture(receiver: Receiver) -> Iterator[OutboundCallsFake]:
    server = OutboundCallsFake(seed=0).start()
    server.webhook_url = receiver.url  # the dashboard's "Settings > Webhooks"
    yield from running(server)


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
