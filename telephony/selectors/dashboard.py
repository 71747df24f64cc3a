"""Reads for the wallboard, the agent workspace and the admin lists.

Nothing here counts a whole table: the wallboard aggregates only the rows created since
yesterday's midnight (a range scan of the created_at index) and the live calls (the
status index), so it costs the same with a million calls stored as with a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncHour
from django.shortcuts import get_object_or_404
from django.utils import timezone

from telephony.models import DID, Agent, Call, Callback, CallEvent, Extension, MaskedSession
from telephony.providers.base import ACTIVE_STATUSES, FINAL_STATUSES, STATUS_RANK, CallStatus

# Ended before anyone picked up (busy and failed are the network's answer, not a hang-up).
ABANDONED = (CallStatus.NO_ANSWER, CallStatus.CANCELED)
OUTCOME_ORDER = ("completed", "voicemail", "no_answer", "busy", "failed", "canceled", "unknown")


def day_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class DayStats:
    total: int = 0
    answered: int = 0
    answered_finished: int = 0
    abandoned: int = 0
    finished: int = 0
    talk_seconds: int = 0
    talk_calls: int = 0
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def answer_rate(self) -> int | None:
        return round(100 * self.answered_finished / self.finished) if self.finished else None

    @property
    def average_handle_seconds(self) -> int | None:
        return round(self.talk_seconds / self.talk_calls) if self.talk_calls else None


def hourly_rows(since: datetime) -> QuerySet:
    """Calls since `since` grouped by hour, with one count per status.

    Grouping by the hour alone (statuses as filtered counts) keeps SQLite and PostgreSQL
    on a range scan of the created_at index; grouping by status too made SQLite walk the
    whole (status, created_at) index instead.
    """
    per_status = {f"n_{s.value}": Count("id", filter=Q(status=s.value)) for s in CallStatus}
    return (
        Call.objects.filter(created_at__gte=since)
        .annotate(hour=TruncHour("created_at"))
        .values("hour")
        .annotate(
            n=Count("id"),
            answered=Count("answered_at"),
            answered_finished=Count("answered_at", filter=Q(status__in=FINAL_STATUSES)),
            talk=Sum("duration_seconds", filter=Q(answered_at__isnull=False)),
            talk_calls=Count("id", filter=Q(answered_at__isnull=False, duration_seconds__gt=0)),
            **per_status,
        )
        .order_by()
    )


def wallboard_stats(now: datetime | None = None) -> dict[str, Any]:
    """Today's and yesterday's figures from one grouped query, plus the live calls."""
    today = day_start(now)
    yesterday = today - timedelta(days=1)
    days = {"today": DayStats(), "yesterday": DayStats()}
    for row in hourly_rows(yesterday):
        hour = timezone.localtime(row["hour"])
        day = days["today" if hour >= today else "yesterday"]
        day.total += row["n"]
        day.by_hour[hour.hour] += row["n"]
        day.answered += row["answered"]
        day.answered_finished += row["answered_finished"]
        day.talk_seconds += row["talk"] or 0
        day.talk_calls += row["talk_calls"]
        for status in CallStatus:
            n = row[f"n_{status.value}"]
            if not n:
                continue
            day.outcomes[status.value] = day.outcomes.get(status.value, 0) + n
            day.finished += n if status in FINAL_STATUSES else 0
            day.abandoned += n if status in ABANDONED else 0
    live = dict(
        Call.objects.filter(status__in=ACTIVE_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return {
        "today": days["today"],
        "yesterday": days["yesterday"],
        "ringing": live.get(CallStatus.RINGING, 0) + live.get(CallStatus.QUEUED, 0),
        "in_progress": live.get(CallStatus.IN_PROGRESS, 0),
        "hours": _hour_bars(days["today"].by_hour, days["yesterday"].by_hour),
        "outcomes": _outcome_bars(days["today"].outcomes, days["yesterday"].outcomes),
    }


def _hour_bars(today: list[int], yesterday: list[int]) -> list[dict]:
    peak = max([*today, *yesterday, 1])
    return [
        {
            "hour": h,
            "today": today[h],
            "yesterday": yesterday[h],
            "today_pct": round(100 * today[h] / peak),
            "yesterday_pct": round(100 * yesterday[h] / peak),
            # SVG coordinates: 20 units per hour, bars grow up from y=110.
            "x": h * 20,
            "today_y": 110 - round(100 * today[h] / peak),
            "yesterday_y": 110 - round(100 * yesterday[h] / peak),
        }
        for h in range(24)
    ]


def _outcome_bars(today: dict[str, int], yesterday: dict[str, int]) -> list[dict]:
    labels = dict(Call.STATUS_CHOICES)
    peak = max([*today.values(), *yesterday.values(), 1])
    return [
        {
            "status": s,
            "label": labels.get(s, s),
            "today": today.get(s, 0),
            "yesterday": yesterday.get(s, 0),
            "today_pct": round(100 * today.get(s, 0) / peak),
            "yesterday_pct": round(100 * yesterday.get(s, 0) / peak),
        }
        for s in OUTCOME_ORDER
        if today.get(s) or yesterday.get(s)
    ]


def calls_today_by_agent(now: datetime | None = None) -> dict[int, int]:
    rows = (
        Call.objects.filter(created_at__gte=day_start(now), agent__isnull=False)
        .values("agent")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["agent"]: row["n"] for row in rows}


def agents_board(now: datetime | None = None, *, extensions: bool = True) -> list[Agent]:
    """Every agent with their state and today's calls (a few queries whatever the team
    size). The wallboard shows no extensions: their prefetch builds a queryset per agent,
    half the cost of a 500-agent board."""
    now = now or timezone.now()
    qs = Agent.objects.select_related("user", "group").order_by("user__username")
    agents = list(qs.prefetch_related("extensions__did") if extensions else qs)
    today = calls_today_by_agent(now)
    for agent in agents:
        agent.calls_today = today.get(agent.pk, 0)
        agent.overdue = agent.wrap_up_overdue(now)
    return agents


def callbacks_for(user: Any, *, agent: Agent | None, scope_all: bool) -> QuerySet[Callback]:
    """Pending callbacks: everyone's for supervisors, else the agent's own and anyone's."""
    qs = Callback.objects.filter(status=Callback.Status.PENDING).select_related(
        "contact", "agent__user"
    )
    if scope_all:
        return qs.order_by("due_at", "id")
    return qs.filter(Q(agent=agent) | Q(agent__isnull=True)).order_by("due_at", "id")


def callback_for_user(user: Any, pk: int, *, agent: Agent | None, scope_all: bool) -> Callback:
    return get_object_or_404(callbacks_for(user, agent=agent, scope_all=scope_all), pk=pk)


def agent_current_call(agent: Agent) -> Call | None:
    """The call the workspace shows: one in progress, or the last one awaiting wrap-up."""
    call = (
        Call.objects.filter(agent=agent)
        .select_related("contact", "disposition")
        .order_by("-created_at", "-id")
        .first()
    )
    if call is None or call.is_active:
        return call
    if call.disposition_id is None and call.created_at >= timezone.now() - timedelta(hours=12):
        return call
    return None


def call_timeline(call: Call) -> list[CallEvent]:
    """A call's events in the order they happened, each with its status label.

    A call only moves forward (queued, ringing, in progress, an end), so an event never
    sorts before an event of an earlier stage: a provider's clock a little behind ours,
    or a log row stamped with the call's start, put a late "completed · Provider sync"
    above "queued". Within that, events sort by their time, then as they arrived.
    """
    events = list(call.events.order_by("at", "id"))
    labels = dict(Call.STATUS_CHOICES)

    def rank(event: CallEvent) -> int:
        return STATUS_RANK.get(event.status, 0)

    for event in events:
        event.status_label = labels.get(event.status, event.status)
        earlier_stages = [o.at for o in events if rank(o) < rank(event)]
        event.sort_at = max([event.at, *earlier_stages])
    return sorted(events, key=lambda e: (e.sort_at, rank(e), e.id))


def dids_inventory() -> QuerySet[DID]:
    return (
        DID.objects.select_related("account")
        .prefetch_related("extensions__agent__user")
        .order_by("status", "number")
    )


def extensions_assignable() -> QuerySet[Extension]:
    return Extension.objects.select_related("account", "agent__user").order_by("number")


def masked_sessions() -> QuerySet[MaskedSession]:
    return MaskedSession.objects.select_related("account", "did", "created_by").order_by(
        "-created_at", "-id"
    )
