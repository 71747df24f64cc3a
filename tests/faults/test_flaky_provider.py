"""A 1,000-contact campaign through a CallKaro fake that fails 30% of its requests
(timeouts before and after the call was placed, 429 with Retry-After, 500): every contact
ends in a final state, and no attempt is ever dialed twice, counted at the fake by the
reference each attempt's call carries.

The engine runs in this process on a driven clock (`engine_tick(now=...)`), the fake plays
its calls forward on the same clock and posts its webhooks to our inbox on a live server.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services.lifecycle import campaign_start
from telephony.models import ProviderAccount, VoiceBot, WebhookEvent
from telephony.services import accounts as accounts_service
from telephony.services.accounts import account_create
from tests import factories
from tests.campaigns.factories import make_campaign, make_list, phones
from tests.fakes.callkaro import SEEDED_AGENTS
from tests.faults.flaky import FlakyCallKaro
from tests.faults.support import noon_zone

pytestmark = pytest.mark.usefixtures("reference_data")

CONTACTS = 1000
RETRIES = 1
STEP = timedelta(seconds=15)  # driven time per engine pass
DEADLINE = 300  # real seconds


@pytest.fixture
def flaky(live_server, settings, monkeypatch):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    # Short timeouts keep the run short; the breaker's pause is real time, so shorten it too.
    real_config = accounts_service.account_config
    monkeypatch.setattr(
        accounts_service, "account_config", lambda a: replace(real_config(a), read_timeout=0.1)
    )
    monkeypatch.setattr("telephony.services.guard.BREAKER_COOLDOWN", 0.5)
    fake = FlakyCallKaro(failure_rate=0.3).start()
    fake.clock = timezone.now()
    account = account_create(
        actor=None,
        kind="callkaro",
        name="CallKaro",
        credentials={"api_key": fake.api_key, "agent_id": ""},
        base_url=fake.base_url,
    )
    ProviderAccount.objects.filter(pk=account.pk).update(
        requests_per_minute=0, calls_per_second=0, concurrency_limit=100
    )
    account.refresh_from_db()
    fake.webhook_url = live_server.url + account.webhook_path
    yield fake, account
    fake.stop()


def test_every_contact_ends_final_and_no_attempt_is_dialed_twice_when_30pct_fail(flaky):
    fake, account = flaky
    bot = VoiceBot.objects.create(
        account=account, provider_bot_id=next(iter(SEEDED_AGENTS)), name="Collections"
    )
    campaign = make_campaign(
        account=account,
        lists=[make_list(phones(CONTACTS), zone=noon_zone())],
        content="voicebot",
        voicebot=bot,
        no_of_call=100,
        number_of_retries=RETRIES,
        gap_between_retries=[0],
    )
    campaign_start(user=factories.make_user("supervisor"), campaign=campaign)
    now, started = timezone.now(), time.monotonic()
    while campaign.status != Campaign.Status.COMPLETED:
        assert time.monotonic() - started < DEADLINE, _progress(campaign, fake)
        engine_tick(now=now)
        fake.advance(STEP.total_seconds())
        now += STEP
        campaign.refresh_from_db()

    entries = CampaignEntry.objects.filter(campaign=campaign)
    assert entries.count() == CONTACTS
    assert set(entries.values_list("state", flat=True)) <= {"done", "failed"}
    # The fault mix really happened, each kind many times.
    assert min(fake.faults.get(k, 0) for k in ("timeout", "lost", "429", "500")) >= 20
    assert fake.faults["ok"] >= CONTACTS

    # At the provider: one placing request per call row, ever.
    received = Counter(fake.received)
    assert "" not in received
    assert max(received.values()) == 1, f"a call row was sent twice: {received.most_common(3)}"
    # Each call the provider placed is an attempt we recorded before sending; no (entry,
    # attempt number) was placed twice, and no entry more often than its attempts allow.
    attempt_of = {
        str(call_id): (entry_id, number)
        for call_id, entry_id, number in CampaignAttempt.objects.filter(
            entry__campaign=campaign
        ).values_list("call_id", "entry_id", "number")
    }
    placed = fake.placed_references()
    assert set(placed) <= set(attempt_of), "the provider placed a call we never recorded"
    per_attempt = Counter(attempt_of[ref] for ref in placed)
    assert max(per_attempt.values()) == 1
    per_entry = Counter(entry_id for entry_id, _ in per_attempt)
    assert max(per_entry.values()) <= 1 + RETRIES
    # Nothing lost: every attempt has an outcome, every entry at least one attempt, and
    # every webhook the provider sent was stored once (matched, or kept for a lost answer).
    attempts = CampaignAttempt.objects.filter(entry__campaign=campaign)
    assert not attempts.filter(outcome="").exists()
    assert not entries.filter(attempts=0).exists()
    assert not fake.webhook_failures
    sent = [resp for _, resp in fake.webhooks_sent]
    assert sent and all(resp is not None and resp.status_code < 300 for resp in sent)
    assert WebhookEvent.objects.filter(account=account).count() == len(sent)


def _progress(campaign: Campaign, fake: FlakyCallKaro) -> str:
    states = Counter(
        CampaignEntry.objects.filter(campaign=campaign).values_list("state", flat=True)
    )
    return f"campaign not completed in {DEADLINE} s: {dict(states)}, faults {fake.faults}"
