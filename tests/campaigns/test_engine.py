"""The engine on the sandbox with a controllable clock: limits, retries, carry-over, priority."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db.models import Count

from campaigns.dialer.engine import engine_tick
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services import campaign_pause, campaign_resume, campaign_start, campaign_stop
from contacts.models import Contact, DNCEntry
from telephony.models import SandboxEvent
from tests import factories
from tests.campaigns.factories import make_campaign, make_list, phones
from tests.telephony.helpers import deliver_next_event

pytestmark = pytest.mark.django_db(transaction=True)

State = CampaignEntry.State


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _deliver(count: int) -> None:
    for _ in range(count):
        if deliver_next_event() is None:
            return


def _finish_all_calls() -> None:
    while SandboxEvent.objects.filter(delivered_at__isnull=True).exists():
        deliver_next_event()


def test_concurrency_and_cps_are_never_exceeded_across_three_campaigns(open_hours):
    account = factories.make_account()
    account.concurrency_limit, account.calls_per_second = 4, 2
    account.save()
    campaigns = [
        make_campaign(account=account, lists=[make_list(phones(12, start=100 * i))], no_of_call=n)
        for i, n in enumerate((3, 2, 3))
    ]
    t0 = _now()
    for campaign in campaigns:
        campaign_start(user=None, campaign=campaign, now=t0)
    now = t0
    for step in range(400):
        engine_tick(now=now)
        dialing = CampaignEntry.objects.filter(state=State.DIALING)
        assert dialing.count() <= 4
        for campaign in campaigns:
            assert dialing.filter(campaign=campaign).count() <= campaign.no_of_call
        _deliver(step % 3)  # calls end at an uneven pace
        now += timedelta(milliseconds=250)
        if not Campaign.objects.filter(status=Campaign.Status.RUNNING).exists():
            break
    assert set(Campaign.objects.values_list("status", flat=True)) == {"completed"}
    placed = sorted(CampaignAttempt.objects.values_list("placed_at", flat=True))
    assert len(placed) == 36
    for at in placed:  # any one-second window holds at most `calls_per_second` starts
        assert sum(at - timedelta(seconds=1) < p <= at for p in placed) <= 2
    per_entry = CampaignAttempt.objects.values("entry").annotate(n=Count("id"))
    assert {row["n"] for row in per_entry} == {1}


def test_retries_happen_at_the_configured_gaps(open_hours):
    busy = make_list(phones(1, suffix="0002"))  # the sandbox's always-busy number
    campaign = make_campaign(
        lists=[busy], number_of_retries=2, gap_between_retries=[5, 30], no_of_call=1
    )
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    now = t0
    while now < t0 + timedelta(hours=1):
        engine_tick(now=now)
        _finish_all_calls()
        now += timedelta(seconds=20)
    attempts = list(CampaignAttempt.objects.order_by("number"))
    assert [a.number for a in attempts] == [1, 2, 3]
    assert [a.outcome for a in attempts] == ["busy"] * 3
    first_gap = attempts[1].placed_at - attempts[0].placed_at
    second_gap = attempts[2].placed_at - attempts[1].placed_at
    # The gap runs from the end of the previous call; the engine passes every 20 s here.
    assert timedelta(minutes=5) <= first_gap <= timedelta(minutes=5, seconds=40)
    assert timedelta(minutes=30) <= second_gap <= timedelta(minutes=30, seconds=40)
    entry = CampaignEntry.objects.get()
    assert entry.state == State.FAILED and entry.outcome == "busy"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED


def test_outcomes_outside_retry_on_are_not_retried(open_hours):
    campaign = make_campaign(
        lists=[make_list(phones(1, suffix="0002"))],
        number_of_retries=3,
        gap_between_retries=[1],
        retry_on=["no_answer"],
    )
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    engine_tick(now=t0)
    _finish_all_calls()
    engine_tick(now=t0 + timedelta(hours=1))
    assert CampaignAttempt.objects.count() == 1
    assert CampaignEntry.objects.get().state == State.FAILED


def test_minimum_recall_gap_holds_across_campaigns(open_hours):
    open_hours.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 30
    number = phones(1, suffix="0001")
    first = make_campaign(lists=[make_list(number)])
    t0 = _now()
    campaign_start(user=None, campaign=first, now=t0)
    engine_tick(now=t0)
    _finish_all_calls()
    second = make_campaign(account=first.account, lists=[make_list(number)])
    campaign_start(user=None, campaign=second, now=t0 + timedelta(minutes=1))
    engine_tick(now=t0 + timedelta(minutes=1))
    assert CampaignAttempt.objects.filter(entry__campaign=second).count() == 0
    entry = CampaignEntry.objects.get(campaign=second)
    assert entry.next_attempt_at == t0 + timedelta(minutes=30)
    engine_tick(now=t0 + timedelta(minutes=30))
    assert CampaignAttempt.objects.filter(entry__campaign=second).count() == 1


# -- windows and carry-over ---------------------------------------------------------------------
MONDAY_1830_IST = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # Monday 18:30 in Asia/Kolkata


def _evening_campaign(*, carry_over: bool, count: int = 6) -> Campaign:
    return make_campaign(
        lists=[make_list(phones(count, suffix="0001"))],
        window_start=time(10, 0),
        window_end=time(19, 0),
        weekdays=[0, 1, 2, 3, 4],
        carry_over=carry_over,
        no_of_call=2,
    )


def test_carry_over_moves_the_rest_to_the_next_window(settings):
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    campaign = _evening_campaign(carry_over=True)
    campaign_start(user=None, campaign=campaign, now=MONDAY_1830_IST)
    engine_tick(now=MONDAY_1830_IST)
    assert CampaignAttempt.objects.count() == 2
    _finish_all_calls()
    closed = MONDAY_1830_IST + timedelta(minutes=30)  # 19:00 IST: the window is shut
    engine_tick(now=closed)
    assert CampaignAttempt.objects.count() == 2
    tuesday_10am = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)
    waiting = CampaignEntry.objects.filter(state=State.PENDING)
    assert set(waiting.values_list("next_attempt_at", flat=True)) == {tuesday_10am}
    campaign.refresh_from_db()
    assert campaign.health_code == "outside_window"
    engine_tick(now=tuesday_10am - timedelta(seconds=1))
    assert CampaignAttempt.objects.count() == 2
    engine_tick(now=tuesday_10am)
    assert CampaignAttempt.objects.count() == 4


def test_without_carry_over_entries_left_when_the_window_ends_are_skipped(settings):
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    campaign = _evening_campaign(carry_over=False)
    campaign_start(user=None, campaign=campaign, now=MONDAY_1830_IST)
    engine_tick(now=MONDAY_1830_IST)
    _finish_all_calls()
    engine_tick(now=MONDAY_1830_IST + timedelta(minutes=31))
    skipped = CampaignEntry.objects.filter(state=State.SKIPPED)
    assert skipped.count() == 4
    assert set(skipped.values_list("skip_reason", flat=True)) == {"window_closed"}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED


def test_friday_evening_carries_over_to_monday_on_weekday_campaigns(settings):
    friday_1850_ist = datetime(2026, 3, 6, 13, 20, tzinfo=UTC)
    campaign = _evening_campaign(carry_over=True, count=3)
    campaign_start(user=None, campaign=campaign, now=friday_1850_ist)
    engine_tick(now=friday_1850_ist + timedelta(minutes=15))
    assert CampaignAttempt.objects.count() == 0
    monday_10am = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)
    assert set(CampaignEntry.objects.values_list("next_attempt_at", flat=True)) == {monday_10am}


def test_compliance_window_is_never_widened_by_the_campaign(settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    campaign = make_campaign(lists=[make_list(phones(2, suffix="0001"))])  # window 00:00-23:59
    late = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 21:30 in Kolkata
    campaign_start(user=None, campaign=campaign, now=late)
    engine_tick(now=late)
    assert CampaignAttempt.objects.count() == 0
    next_morning = datetime(2026, 3, 3, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata
    assert set(CampaignEntry.objects.values_list("next_attempt_at", flat=True)) == {next_morning}


# -- priority -----------------------------------------------------------------------------------
def test_higher_priority_campaign_and_entries_are_dialed_first(open_hours):
    account = factories.make_account()
    account.concurrency_limit = 1
    account.save()
    low = make_campaign(account=account, lists=[make_list(phones(3, start=0))], priority=-5)
    high_list = make_list(phones(3, start=50))
    urgent = make_list(phones(1, start=90), priority="80")
    high = make_campaign(account=account, lists=[high_list, urgent], priority=50)
    t0 = _now()
    campaign_start(user=None, campaign=low, now=t0)
    campaign_start(user=None, campaign=high, now=t0)
    now = t0
    for _ in range(60):
        engine_tick(now=now)
        _finish_all_calls()
        now += timedelta(seconds=1)
    order = list(CampaignAttempt.objects.order_by("placed_at", "id").select_related("entry"))
    assert [a.entry.campaign_id for a in order] == [high.pk] * 4 + [low.pk] * 3
    assert order[0].phone == phones(1, start=90)[0]  # the entry with priority 80


# -- dial-time checks, pause, stop --------------------------------------------------------------
def test_numbers_added_to_dnc_after_start_are_skipped_at_dial_time(open_hours):
    numbers = phones(3, suffix="0001")
    campaign = make_campaign(lists=[make_list(numbers)], no_of_call=5)
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    DNCEntry.objects.create(phone=numbers[1])
    Contact.objects.filter(phone=numbers[2]).update(opted_out=True)
    engine_tick(now=t0)
    reasons = dict(campaign.entries.values_list("phone", "skip_reason"))
    assert reasons[numbers[1]] == "dnc" and reasons[numbers[2]] == "opted_out"
    assert CampaignAttempt.objects.count() == 1


def test_pause_stops_new_dials_at_once_and_resume_continues(open_hours):
    campaign = make_campaign(lists=[make_list(phones(6, suffix="0001"))], no_of_call=2)
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    engine_tick(now=t0)
    assert CampaignAttempt.objects.count() == 2
    campaign_pause(user=None, campaign=campaign)
    _finish_all_calls()
    for second in range(1, 5):
        engine_tick(now=t0 + timedelta(seconds=second))
    assert CampaignAttempt.objects.count() == 2
    assert CampaignEntry.objects.filter(state=State.DONE).count() == 2  # outcomes still land
    campaign_resume(user=None, campaign=campaign)
    engine_tick(now=t0 + timedelta(seconds=10))
    assert CampaignAttempt.objects.count() == 4


def test_stop_ends_the_campaign_and_skips_what_was_not_called(open_hours):
    campaign = make_campaign(lists=[make_list(phones(5, suffix="0001"))], no_of_call=1)
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    engine_tick(now=t0)
    campaign_stop(user=None, campaign=campaign)
    engine_tick(now=t0 + timedelta(seconds=5))
    assert CampaignAttempt.objects.count() == 1
    assert CampaignEntry.objects.filter(skip_reason="stopped").count() == 4
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.STOPPED


def test_duplicate_numbers_across_lists_are_called_once(open_hours):
    numbers = phones(3, suffix="0001")
    campaign = make_campaign(lists=[make_list(numbers), make_list(numbers[:2])])
    campaign_start(user=None, campaign=campaign, now=_now())
    assert campaign.entries.filter(skip_reason="duplicate").count() == 2
    engine_tick(now=_now())
    assert CampaignAttempt.objects.count() == 3


def test_lifetime_cap_stops_calling_a_number(open_hours):
    open_hours.CAMPAIGN_LIFETIME_ATTEMPT_CAP = 2
    number = phones(1, suffix="0002")
    campaign = make_campaign(
        lists=[make_list(number)], number_of_retries=5, gap_between_retries=[1]
    )
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    now = t0
    for _ in range(10):
        engine_tick(now=now)
        _finish_all_calls()
        now += timedelta(minutes=2)
    assert CampaignAttempt.objects.count() == 2
    entry = CampaignEntry.objects.get()
    assert entry.state == State.SKIPPED and entry.skip_reason == "cap_reached"


def test_an_outcome_lost_after_commit_is_settled_at_the_next_pass(open_hours):
    """`call_finished` runs after commit; a database restart at that instant loses it.
    The next pass settles the entry, not the expiry of its lease minutes later."""
    from telephony.models import Call

    campaign = make_campaign(lists=[make_list(phones(1, suffix="0003"))])
    t0 = _now()
    campaign_start(user=None, campaign=campaign, now=t0)
    engine_tick(now=t0)
    attempt = CampaignAttempt.objects.get()
    # The call ends with nobody told (a queryset update sends no signal).
    Call.objects.filter(pk=attempt.call_id).update(status="no_answer", ended_at=t0)
    entry = CampaignEntry.objects.get()
    assert entry.state == State.DIALING and entry.leased_until > t0 + timedelta(seconds=5)
    engine_tick(now=t0 + timedelta(seconds=1))
    entry.refresh_from_db()
    attempt.refresh_from_db()
    assert attempt.outcome == "no_answer"
    assert entry.state != State.DIALING
    assert CampaignAttempt.objects.count() == 1  # settled, not dialed again
