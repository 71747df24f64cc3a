"""Shared set-up of the Robotalker adapter tests: numbers, the adapter on its fake, a call,
and the `fake`, `catcher` and `provider` fixtures (imported by name, as
tests/fakes/support.py tells)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from telephony.providers.base import OutboundCallRequest
from telephony.providers.robotalker.adapter import RobotalkerProvider
from tests.contract.harness import WebhookCatcher, config
from tests.fakes.robotalker import RobotalkerFake
from tests.fakes.support import running

CALLER_ID = "+18005550199"  # the doc's example numbers
CUSTOMER = "+12125550100"
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the fake's clock


def make_provider(fake, *, webhook_url="", guard=None, read_timeout=1.0, **credentials):
    creds = {"api_key": fake.api_key, **credentials}
    provider = RobotalkerProvider(
        config(
            "robotalker",
            base_url=fake.base_url,
            credentials=creds,
            default_region="US",
            webhook_url=webhook_url,
            guard=guard,
            read_timeout=read_timeout,
        )
    )
    provider.sleeps = []
    provider.http.sleep = provider.sleeps.append  # backoff recorded, not slept
    return provider


def place_call(provider, to=CUSTOMER, text="Hello {FIRST_NAME}.", **variables):
    request = OutboundCallRequest(
        to_number=to,
        did_number=CALLER_ID,
        reference="1",
        text=text,
        variables=variables or {"FIRST_NAME": "Sarah"},
    )
    return provider.tts_call(request).provider_call_id


def sent(fake, method="POST"):
    return [r for r in fake.requests if r.method == method]


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[RobotalkerFake]:
    yield from running(RobotalkerFake(seed=0).start())


@pytest.fixture(name="catcher")
def catcher_fixture() -> Iterator[WebhookCatcher]:
    yield from running(WebhookCatcher())


@pytest.fixture(name="provider")
def provider_fixture(fake: RobotalkerFake) -> RobotalkerProvider:
    return make_provider(fake)
