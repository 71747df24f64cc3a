"""Shared set-up of the Callmatic adapter tests: the fake on 127.0.0.1 and the adapter on it,
a saved account, and the `fake` and `provider` fixtures (imported by name, as
tests/fakes/support.py tells)."""

from collections.abc import Iterator

import pytest

from telephony.providers.callmatic.adapter import CallmaticProvider
from telephony.services.accounts import account_create
from tests.contract.harness import config
from tests.fakes.callmatic import SEEDED_CAMPAIGNS, CallmaticFake
from tests.fakes.support import running

CAMPAIGN = next(iter(SEEDED_CAMPAIGNS))
CUSTOMER = "+917760524807"


def make_provider(fake, base_url=None, read_timeout=1.0, **credentials) -> CallmaticProvider:
    creds = {"api_key": fake.api_key, "campaign_id": CAMPAIGN, **credentials}
    provider = CallmaticProvider(
        config(
            "callmatic",
            base_url=fake.base_url if base_url is None else base_url,
            credentials=creds,
            read_timeout=read_timeout,
        )
    )
    provider.http.sleep = lambda seconds: None  # backoff is asserted where it matters
    return provider


def make_account(fake):
    """A saved Callmatic account on the fake (the service layer's way in)."""
    return account_create(
        actor=None,
        kind="callmatic",
        name="Callmatic",
        credentials={"api_key": fake.api_key, "campaign_id": CAMPAIGN},
        base_url=fake.base_url,
    )


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[CallmaticFake]:
    yield from running(CallmaticFake().start())


@pytest.fixture(name="provider")
def provider_fixture(fake: CallmaticFake) -> CallmaticProvider:
    return make_provider(fake)
