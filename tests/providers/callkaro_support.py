"""Shared set-up of the CallKaro adapter tests: the adapter on its fake, a call, what was sent,
a saved account, and the `fake` and `provider` fixtures (imported by name, as
tests/fakes/support.py tells)."""

import json
from collections.abc import Iterator

import pytest

from telephony.providers.base import OutboundCallRequest
from telephony.providers.callkaro.adapter import CallKaroProvider
from telephony.services.accounts import account_create
from tests.contract.harness import config
from tests.fakes.callkaro import SEEDED_AGENTS, CallKaroFake
from tests.fakes.support import running

AGENT = list(SEEDED_AGENTS)[1]
CUSTOMER = "+919876543210"


def make_provider(fake, read_timeout=1.0, **credentials) -> CallKaroProvider:
    creds = {"api_key": fake.api_key, "agent_id": AGENT, **credentials}
    provider = CallKaroProvider(
        config("callkaro", base_url=fake.base_url, credentials=creds, read_timeout=read_timeout)
    )
    provider.http.sleep = lambda seconds: None  # backoff is asserted where it matters
    return provider


def make_account(fake):
    """A saved CallKaro account on the fake (the service layer's way in)."""
    return account_create(
        actor=None,
        kind="callkaro",
        name="CallKaro",
        credentials={"api_key": fake.api_key, "agent_id": AGENT},
        base_url=fake.base_url,
    )


def place_call(provider, number=CUSTOMER, **kw) -> str:
    request = OutboundCallRequest(to_number=number, did_number="", reference="42", **kw)
    return provider.voicebot_call(request).provider_call_id


def sent(fake) -> list[dict]:
    return [json.loads(r.body) for r in fake.requests]


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[CallKaroFake]:
    yield from running(CallKaroFake().start())


@pytest.fixture(name="provider")
def provider_fixture(fake) -> CallKaroProvider:
    return make_provider(fake)
