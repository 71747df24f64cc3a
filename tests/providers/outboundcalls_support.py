"""Shared set-up of the OutboundCalls.ai adapter tests: the adapter on its fake, numbers,
a campaign and one that ran, a saved account, and the `fake`, `catcher`, `provider` and
`agent_id` fixtures (imported by name, as tests/fakes/support.py tells)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from telephony.providers.base import AgentSpec, CampaignNumber, HostedCampaignSpec
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from telephony.services.accounts import account_create
from tests.contract.harness import WebhookCatcher, config
from tests.fakes.outboundcalls import OutboundCallsFake
from tests.fakes.support import running

CUSTOMER = "+14155550100"
SECRET = "oc-webhook-secret"  # the fake's default signing secret
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the fake's clock


def make_provider(fake, *, secrets=(SECRET,), guard=None, read_timeout=1.0, **credentials):
    provider = OutboundCallsProvider(
        config(
            "outboundcalls",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key, **credentials},
            default_region="US",
            webhook_secrets=secrets,
            guard=guard,
            read_timeout=read_timeout,
        )
    )
    provider.sleeps = []
    provider.http.sleep = provider.sleeps.append  # backoff recorded, not slept
    return provider


def bare_provider(fake):
    """The adapter with its key alone: no region, no webhook secrets, no guard."""
    return OutboundCallsProvider(
        config("outboundcalls", base_url=fake.base_url, credentials={"api_key": fake.api_key})
    )


def make_account(fake):
    """A saved OutboundCalls.ai account on the fake (the service layer's way in)."""
    return account_create(
        actor=None,
        kind="outboundcalls",
        name="OutboundCalls",
        credentials={"api_key": fake.api_key},
        base_url=fake.base_url,
        default_region="US",
    )


def numbers_of(*phones):
    return [
        CampaignNumber(p, reference=f"e{i}", variables={"plan": "gold"}, name=f"Asha Rao{i}")
        for i, p in enumerate(phones or (CUSTOMER,))
    ]


def new_campaign(provider, agent_id, numbers=None, **kw):
    spec = HostedCampaignSpec(
        name="Renewals", bot_id=agent_id, numbers=numbers or numbers_of(), **kw
    )
    return provider.campaign_create(spec)


def ran_campaign(fake, provider, agent_id, outcome="completed", seconds=600):
    """A one-number campaign run to its end; returns (campaign id, call id)."""
    fake.force_outcome(CUSTOMER, outcome)
    campaign_id = new_campaign(provider, agent_id)
    provider.campaign_start(campaign_id)
    fake.advance(seconds)
    [call_id] = fake.campaigns[campaign_id].call_ids
    return campaign_id, call_id


def requests_to(fake, path_end, method="POST"):
    return [r for r in fake.requests if r.method == method and r.path.endswith(path_end)]


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[OutboundCallsFake]:
    yield from running(OutboundCallsFake(seed=0).start())


@pytest.fixture(name="catcher")
def catcher_fixture(fake: OutboundCallsFake) -> Iterator[WebhookCatcher]:
    receiver = WebhookCatcher()
    fake.webhook_url = receiver.url
    yield receiver
    receiver.stop()


@pytest.fixture(name="provider")
def provider_fixture(fake: OutboundCallsFake) -> OutboundCallsProvider:
    return make_provider(fake)


@pytest.fixture(name="agent_id")
def agent_id_fixture(provider: OutboundCallsProvider) -> str:
    return provider.agent_create(AgentSpec(name="Ava")).provider_id
