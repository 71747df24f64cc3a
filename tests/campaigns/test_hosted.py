"""Hosted execution on the sandbox: the list is pushed, the provider dials, results sync back."""

from __future__ import annotations

import time

import pytest

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services import campaign_pause, campaign_resume, campaign_start
from contacts.models import DNCEntry
from telephony.models import Call
from telephony.services.accounts import provider_for
from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db(transaction=True)


def test_hosted_campaign_pushes_the_list_and_syncs_results_into_the_entries(open_hours):
    numbers = phones(4, suffix="0001") + phones(2, start=50, suffix="0002")
    campaign = make_campaign(lists=[make_list(numbers)], execution="hosted", no_of_call=2)
    DNCEntry.objects.create(phone=numbers[0])
    campaign_start(user=None, campaign=campaign)
    engine_tick()
    campaign.refresh_from_db()
    assert campaign.hosted_id.startswith("sbxc-")
    assert campaign.entries.get(phone=numbers[0]).skip_reason == "dnc"  # checked before pushing
    pushed = Call.objects.filter(campaignattempt__entry__campaign=campaign)
    assert pushed.count() == 5 and all(c.provider_call_id for c in pushed)
    assert provider_for(campaign.account).campaign_status(campaign.hosted_id).total == 5
    deadline = time.monotonic() + 20
    while campaign.status == Campaign.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
        engine_tick()
        campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
    outcomes = dict(campaign.entries.values_list("phone", "outcome"))
    assert {outcomes[n] for n in numbers[1:4]} == {"completed"}
    assert {outcomes[n] for n in numbers[4:]} == {"busy"}
    # The provider retries on its side: each entry has exactly the one pushed attempt here.
    assert CampaignAttempt.objects.filter(entry__campaign=campaign).count() == 5
    assert set(campaign.entries.values_list("state", flat=True)) == {"done", "failed", "skipped"}


def test_pause_and_resume_are_steered_at_the_provider(open_hours):
    campaign = make_campaign(
        lists=[make_list(phones(3, suffix="0001"))], execution="hosted", no_of_call=1
    )
    campaign_start(user=None, campaign=campaign)
    engine_tick()
    campaign.refresh_from_db()
    provider = provider_for(campaign.account)
    campaign_pause(user=None, campaign=campaign)
    assert provider.campaign_status(campaign.hosted_id).status == "paused"
    campaign_resume(user=None, campaign=campaign)
    assert provider.campaign_status(campaign.hosted_id).status in ("running", "completed")
    assert CampaignEntry.objects.filter(state="dialing").count() == 3
