"""The claim discipline (campaigns/dialer/claims.py) on its own: every move of an entry
is guarded by the attempt its writer saw, so a stale writer changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.dialer.claims import (
    attempt_give_back,
    due_entries,
    entries_hold,
    entry_claim,
    entry_give_back,
    entry_set_aside,
)
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services import campaign_start
from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db

State = CampaignEntry.State


def _running(count: int = 1) -> tuple[Campaign, datetime]:
    now = datetime.now(UTC).replace(microsecond=0)
    campaign = make_campaign(lists=[make_list(phones(count, suffix="0001"))])
    campaign_start(user=None, campaign=campaign, now=now)
    campaign.refresh_from_db()
    return campaign, now


def test_a_claim_wins_once_and_records_the_attempt_with_its_call(open_hours):
    campaign, now = _running()
    (entry,) = due_entries(campaign, now, 10)
    attempt = entry_claim(campaign, entry, now, detail="test")
    assert attempt is not None and attempt.number == 1 and attempt.call is not None
    # A second writer holding the same (stale) entry loses: the row count says so.
    assert entry_claim(campaign, entry, now, detail="test") is None
    entry.refresh_from_db()
    assert entry.state == State.DIALING and entry.attempts == 1
    assert CampaignAttempt.objects.filter(entry=entry).count() == 1
    assert due_entries(campaign, now, 10) == []


def test_no_claim_once_the_campaign_is_paused(open_hours):
    campaign, now = _running()
    (entry,) = due_entries(campaign, now, 10)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
    assert entry_claim(campaign, entry, now, detail="test") is None
    assert not CampaignAttempt.objects.exists()


def test_give_back_returns_the_attempt_number_and_drops_the_attempt(open_hours):
    campaign, now = _running()
    (entry,) = due_entries(campaign, now, 10)
    attempt = entry_claim(campaign, entry, now, detail="test")
    later = now + timedelta(seconds=30)
    assert attempt_give_back(attempt, at=later)
    entry.refresh_from_db()
    assert (entry.state, entry.attempts, entry.next_attempt_at) == (State.PENDING, 0, later)
    assert entry.leased_until is None and not CampaignAttempt.objects.exists()
    # Given back once: a second give-back of the same attempt changes nothing.
    assert entry_give_back(entry_id=entry.pk, number=1, at=now) == 0


def test_a_retry_given_back_waits_and_a_stale_number_is_refused(open_hours):
    campaign, now = _running()
    entry = CampaignEntry.objects.get(campaign=campaign)
    CampaignEntry.objects.filter(pk=entry.pk).update(state=State.DIALING, attempts=2)
    assert entry_give_back(entry_id=entry.pk, number=1, at=now) == 0
    assert entry_give_back(entry_id=entry.pk, number=2, at=now) == 1
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == (State.WAITING, 1)


def test_skip_and_defer_act_only_on_the_attempt_their_writer_saw(open_hours):
    campaign, now = _running(2)
    first, second = due_entries(campaign, now, 10)
    until = now + timedelta(hours=1)
    assert entry_set_aside(first, ("defer", until)) == 1
    assert entry_set_aside(first, ("dial",)) == 0
    stale = CampaignEntry.objects.get(pk=second.pk)
    CampaignEntry.objects.filter(pk=second.pk).update(attempts=1, state=State.WAITING)
    assert entry_set_aside(stale, ("skip", "dnc")) == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.next_attempt_at == until and first.state == State.PENDING
    assert second.state == State.WAITING and second.skip_reason == ""


def test_hold_extends_only_dialing_entries(open_hours):
    campaign, now = _running(2)
    first, second = due_entries(campaign, now, 10)
    entry_claim(campaign, first, now, detail="test")
    until = now + timedelta(minutes=5)
    assert entries_hold([first.pk, second.pk], until) == 1
    assert entries_hold([], until) == 0
    assert CampaignEntry.objects.get(pk=first.pk).leased_until == until
    assert CampaignEntry.objects.get(pk=second.pk).leased_until is None
