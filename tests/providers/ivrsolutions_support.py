"""Shared set-up of the IVR Solutions adapter tests: the fake on 127.0.0.1 and an adapter, a saved
account, and the `fake`, `provider` and `catcher` fixtures (imported by name, as
tests/fakes/support.py tells)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from telephony.providers.base import ClickToCallRequest
from telephony.providers.ivrsolutions.adapter import IVRSolutionsProvider
from telephony.providers.ivrsolutions.api import PATHS
from telephony.services.accounts import account_create
from tests.contract.harness import WebhookCatcher, config
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.fakes.support import running

TOKEN = "ivr-adapter-token"
DID = "+911143104567"  # seeded as owned by the fake
CUSTOMER = "+919876543210"
AS_SENT = "09876543210"  # the same number the way IVR Solutions wants it


def start_fake() -> IVRSolutionsFake:
    return IVRSolutionsFake(api_token=TOKEN, seed=5).start()


def make_provider(fake: IVRSolutionsFake, **kw) -> IVRSolutionsProvider:
    credentials = kw.pop("credentials", {"api_token": TOKEN})
    provider = IVRSolutionsProvider(
        config(
            "ivrsolutions",
            base_url=fake.url,
            credentials=credentials,
            read_timeout=kw.pop("read_timeout", 1.0),
            **kw,
        )
    )
    provider.http.sleep = lambda seconds: None  # backoff is asserted where it matters
    return provider


def make_account(fake: IVRSolutionsFake):
    """A saved IVR Solutions account on the fake (the service layer's way in)."""
    return account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": TOKEN},
        base_url=fake.url,
    )


def sent(fake: IVRSolutionsFake, name: str) -> list:
    """The requests the fake received for endpoint `name` (by the adapter's PATHS)."""
    path = PATHS[name].path
    return [r for r in fake.requests if r.path == path]


def place_c2c(provider, number=CUSTOMER, extension="2101") -> str:
    request = ClickToCallRequest(extension, "", number, DID, "7")
    return provider.click_to_call(request).provider_call_id


def clock_range(fake):
    return {"since": fake.clock - timedelta(days=1), "until": fake.clock + timedelta(days=1)}


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[IVRSolutionsFake]:
    yield from running(start_fake())


@pytest.fixture(name="provider")
def provider_fixture(fake: IVRSolutionsFake) -> IVRSolutionsProvider:
    return make_provider(fake)


@pytest.fixture(name="catcher")
def catcher_fixture() -> Iterator[WebhookCatcher]:
    yield from running(WebhookCatcher())
