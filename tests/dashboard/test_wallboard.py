from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from telephony.models import Call
from telephony.selectors.dashboard import day_start, hourly_rows, wallboard_stats

HX = {"HX-Request": "true"}


def _call(account, agent, status, *, hours_ago=0, answered=False, duration=None):
    call = Call.objects.create(
        account=account,
        call_type=Call.Type.CLICK_TO_CALL,
        agent=agent,
        status=status,
        answered_at=timezone.now() if answered else None,
        duration_seconds=duration,
    )
    if hours_ago:
        Call.objects.filter(pk=call.pk).update(
            created_at=timezone.now() - timedelta(hours=hours_ago)
        )
    return call


def test_counters_of_today(account, agent):
    _call(account, agent, "completed", answered=True, duration=30)
    _call(account, agent, "completed", answered=True, duration=50)
    _call(account, agent, "no_answer")
    _call(account, agent, "busy")
    _call(account, agent, "ringing")
    _call(account, agent, "in_progress", answered=True)
    stats = wallboard_stats()
    today = stats["today"]
    assert (stats["ringing"], stats["in_progress"]) == (1, 1)
    assert today.answered == 3 and today.abandoned == 1 and today.finished == 4
    assert today.answer_rate == 50  # 2 of the 4 finished calls were answered
    assert today.average_handle_seconds == 40


def test_yesterday_is_compared_and_older_rows_are_not_read(account, agent):
    now = timezone.now()
    hours_since_midnight = (now - day_start(now)).total_seconds() / 3600
    _call(account, agent, "completed", hours_ago=hours_since_midnight + 2)  # yesterday
    _call(account, agent, "completed", hours_ago=hours_since_midnight + 30)  # two days ago
    stats = wallboard_stats(now)
    assert stats["yesterday"].total == 1 and stats["today"].total == 0
    assert [o["status"] for o in stats["outcomes"]] == ["completed"]


def test_wallboard_aggregates_through_the_created_at_index(db):
    """The wallboard never scans the calls table: the plans must search an index by range."""
    from django.db.models import Count

    plan = hourly_rows(day_start()).explain()
    live = (
        Call.objects.filter(status__in=["ringing", "queued", "in_progress"])
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .explain()
    )
    if connection.vendor != "sqlite":
        pytest.skip(
            "PostgreSQL chooses plans from table statistics; the shape is checked on SQLite"
        )
    assert "SEARCH telephony_call USING INDEX" in plan and "(created_at>?)" in plan, plan
    assert "SEARCH telephony_call USING" in live and "INDEX" in live, live


def test_wallboard_page_and_its_polled_fragment(client, supervisor, account, agent):
    _call(account, agent, "completed", answered=True, duration=12)
    client.force_login(supervisor)
    url = reverse("telephony:wallboard")
    page = client.get(url).content.decode()
    assert "<html" in page and "Provider health" in page and str(agent) in page
    fragment = client.get(url, headers=HX).content.decode()
    assert "<html" not in fragment and 'id="wallboard"' in fragment
    assert 'hx-trigger="every 5s"' in fragment and account.name in fragment


def test_wallboard_is_not_for_agents(agent_client):
    assert agent_client.get(reverse("telephony:wallboard")).status_code == 404
