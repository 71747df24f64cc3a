"""A small campaign through each provider's HTTP fake, end to end: the engine dials (or the
provider hosts), the fake plays the calls and posts webhooks to our inbox on a live server,
and the results land in the same campaign entries and call rows."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, CampaignEntry
from campaigns.services.lifecycle import campaign_start
from telephony.models import Call, VoiceBot
from telephony.providers.base import AgentSpec
from telephony.services.accounts import account_create, provider_for
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.fakes import callkaro, callmatic, ivrsolutions, outboundcalls, robotalker

pytestmark = pytest.mark.usefixtures("reference_data")
PHONES = ["+919876510001", "+919876520001", "+919876530001"]


def _callmatic(fake, account):
    campaign_id = next(iter(callmatic.SEEDED_CAMPAIGNS))
    bot = VoiceBot.objects.create(account=account, provider_bot_id=campaign_id, name="Collections")
    return {"content": "voicebot", "voicebot": bot}


def _callkaro(fake, account):
    agent_id = next(iter(callkaro.SEEDED_AGENTS))
    bot = VoiceBot.objects.create(account=account, provider_bot_id=agent_id, name="Inspection")
    return {"content": "voicebot", "voicebot": bot}


def _robotalker(fake, account):
    return {"content": "tts"}


def _outboundcalls(fake, account):
    agent = provider_for(account).agent_create(AgentSpec(name="Renewals agent"))
    bot = VoiceBot.objects.create(account=account, provider_bot_id=agent.provider_id, name="AI")
    return {"content": "voicebot", "voicebot": bot, "execution": "hosted"}


def _ivrsolutions(fake, account):
    # A hosted text dialer: the fake's seeded, approved template and its seeded DID.
    from campaigns.models import TTSTemplate

    template = TTSTemplate.objects.create(
        name="api_order_confirm",
        text="Hello {name}, order {order_id}.",
        account=account,
        provider_template_id="api_order_confirm",
        status="approved",
    )
    factories.make_did(account, "+911143104567")  # the campaign factory takes the account's DID
    return {"content": "tts", "execution": "hosted", "tts_template": template}


PROVIDERS = {
    # kind: (fake module, credentials from the fake, campaign settings, outcome word)
    "ivrsolutions": (ivrsolutions, lambda f: {"api_token": f.api_token}, _ivrsolutions, "answered"),
    "callmatic": (
        callmatic,
        lambda f: {"api_key": f.api_key, "campaign_id": ""},
        _callmatic,
        "completed",
    ),
    "callkaro": (
        callkaro,
        lambda f: {"api_key": f.api_key, "agent_id": ""},
        _callkaro,
        "completed",
    ),
    "robotalker": (robotalker, lambda f: {"api_key": f.api_key}, _robotalker, "answered"),
    "outboundcalls": (outboundcalls, lambda f: {"api_key": f.api_key}, _outboundcalls, "completed"),
}


@contextmanager
def provider_campaign(kind: str, live_server, settings):
    """A fake for `kind`, an account on it, three contacts and a ready (draft) campaign."""
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    settings.PUBLIC_BASE_URL = live_server.url  # Robotalker takes the webhook URL per call
    module, credentials, campaign_settings, outcome = PROVIDERS[kind]
    fake = module.Fake().start()
    fake.clock = datetime.now(UTC)
    try:
        account = account_create(
            actor=None,
            kind=kind,
            name=kind,
            credentials=credentials(fake),
            base_url=getattr(fake, "base_url", fake.url),
        )
        fake.webhook_url = live_server.url + account.webhook_path
        if hasattr(fake, "webhook_secret"):
            fake.webhook_secret = account.webhook_secrets[0]
        for phone in PHONES:
            fake.force_outcome(_as_fake_sees(kind, phone), outcome)
        contact_list = make_list(PHONES, order_id="ORD1")
        campaign = make_campaign(
            account=account,
            lists=[contact_list],
            name=f"{kind} campaign",
            **campaign_settings(fake, account),
        )
        yield fake, campaign
    finally:
        fake.stop()


def run_until_complete(fake, campaign: Campaign, ticks: int = 30) -> None:
    """What the worker does: engine ticks while the provider plays its calls forward."""
    for _ in range(ticks):
        engine_tick(now=timezone.now())
        fake.advance(120)
        time.sleep(0.05)
        campaign.refresh_from_db()
        if campaign.status == Campaign.Status.COMPLETED:
            return


@pytest.mark.parametrize("kind", sorted(PROVIDERS))
def test_small_campaign_runs_to_completion_through_the_provider(kind, live_server, settings):
    with provider_campaign(kind, live_server, settings) as (fake, campaign):
        campaign_start(user=factories.make_user("supervisor"), campaign=campaign)
        run_until_complete(fake, campaign)
        entries = list(CampaignEntry.objects.filter(campaign=campaign))
        assert campaign.status == Campaign.Status.COMPLETED, [
            (e.phone, e.state, e.outcome) for e in entries
        ]
        assert all(
            e.state == CampaignEntry.State.DONE and e.outcome == "completed" for e in entries
        )
        calls = Call.objects.filter(campaignattempt__entry__campaign=campaign)
        assert calls.count() == 3 and all(c.provider_call_id for c in calls)
        if kind in ("callmatic", "outboundcalls"):  # these providers give transcripts
            assert all(c.transcript for c in calls)


def _as_fake_sees(kind: str, phone: str) -> str:
    # The Callmatic fake keys forced outcomes on the 10-digit form the adapter sends.
    return phone[-10:] if kind == "callmatic" else phone
