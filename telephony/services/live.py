"""Change stamps for the polled fragments: an unchanged poll answers 204, not a full render.

A stamp is a short digest of exactly the data a fragment shows, read from the rows
themselves (no counter that every writer must remember to bump, so nothing can miss a
bump: a supervisor's override, a sweep, a webhook, a sync all change the rows). It works
across gunicorn workers and on SQLite and PostgreSQL alike, with no cache or broker.

Each fragment renders the stamp it was drawn from into its poll (`hx-vals`); the poll
view compares it with a fresh one and answers 204 (htmx keeps the DOM) when they match.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from telephony.models import Agent, Call, Callback, CallEvent, ProviderAccount

# The wallboard also shows things no cheap stamp sees (provider health, campaign progress,
# "in state" minutes, its clock): it re-renders at least this often, as it did before.
WALLBOARD_REFRESH_SECONDS = 5


def stamp(*parts: Any) -> str:
    """A short digest of `parts` (their repr): equal data, equal stamp, in every process."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def unchanged(request: Any, current: str, name: str = "v") -> bool:
    """The poll carries the stamp its fragment was rendered at, and nothing changed since."""
    return request.GET.get(name) == current


def _workspace_sql(where: str = "a.user_id = %s") -> str:
    agent, call = Agent._meta.db_table, Call._meta.db_table
    contact = Call._meta.get_field("contact").related_model._meta.db_table
    # The agent's latest call, as agent_current_call picks it (the agent, -created_at index).
    latest = f"SELECT id FROM {call} WHERE agent_id = a.id ORDER BY created_at DESC, id DESC"
    return (
        "SELECT a.state, a.pause_reason, a.state_since, c.id, c.status, c.created_at,"
        " c.disposition_id, c.duration_seconds, c.to_number, c.call_type, ct.name"
        f" FROM {agent} a LEFT JOIN {call} c ON c.id = ({latest} LIMIT 1)"
        f" LEFT JOIN {contact} ct ON ct.id = c.contact_id WHERE {where}"
    )


def workspace_stamps(user_id: int) -> tuple[str, str] | None:
    """The stamps of a workspace's status (the state, its reason, since when: the clock
    ticks in the browser) and of its call card (the latest call's fields the card prints),
    or None for a user who is no agent.

    One plain indexed read: every open workspace polls this every second, and the ORM's
    query building costs ten times the query here. The card's stamp leaves out the
    12-hour window of agent_current_call: it is only compared while the card is live (no
    call, or one in progress), and crossing the window never changes a live card.
    """
    with connection.cursor() as cursor:
        cursor.execute(_workspace_sql(), [user_id])
        row = cursor.fetchone()
    return None if row is None else (stamp(*row[:3]), stamp(*row[3:]))


def callbacks_marks(user_ids: set[int], *, now: datetime | None = None) -> dict:
    """Per workspace (user id), a mark of its pending callbacks that moves when one is
    added, closed, moved or falls due: the live feed pushes the callbacks card on it. One
    grouped read for every open workspace; the callbacks for anyone count for all."""
    now = now or timezone.now()
    rows = (
        Callback.objects.filter(status=Callback.Status.PENDING)
        .filter(Q(agent__user_id__in=user_ids) | Q(agent__isnull=True))
        .values("agent__user_id")
        .annotate(
            n=Count("id"),
            last=Max("id"),
            latest=Max("due_at"),
            due=Count("id", filter=Q(due_at__lte=now)),
        )
    )
    marks = {row.pop("agent__user_id"): stamp(sorted(row.items())) for row in rows}
    anyone = marks.pop(None, "")
    return {user_id: stamp(marks.get(user_id, ""), anyone) for user_id in user_ids}


def workspace_stamps_many(user_ids: set[int]) -> dict[int, tuple[str, str]]:
    """`workspace_stamps` of many workspaces in one read (the live feed's tick)."""
    ids = sorted(user_ids)
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    sql = _workspace_sql(f"a.user_id IN ({marks})").replace(
        "SELECT a.state", "SELECT a.user_id, a.state", 1
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return {row[0]: (stamp(*row[1:4]), stamp(*row[4:])) for row in rows}


def callbacks_stamp(agent: Agent, *, now: datetime | None = None) -> str:
    """The workspace's callbacks card: the rows it lists (their times, notes, owners) and
    how many of them are due, which changes as time passes. A contact renamed meanwhile
    shows at the next change."""
    now = now or timezone.now()
    rows = list(
        Callback.objects.filter(status=Callback.Status.PENDING)
        .filter(Q(agent=agent) | Q(agent__isnull=True))
        .order_by("due_at", "id")
        .values_list("id", "due_at", "agent_id", "note")[:20]
    )
    return stamp(rows, sum(1 for row in rows if row[1] <= now))


def call_stamp(call: Call, *, now: datetime | None = None) -> str:
    """The call page's live panel: every field it prints that a provider can fill in, and
    the minute (the contact's local time shows on it)."""
    now = now or timezone.now()
    return stamp(
        int(now.timestamp()) // 60,
        call.status,
        call.provider_status,
        call.error,
        call.answered_at,
        call.ended_at,
        call.duration_seconds,
        call.amd_result,
        call.dtmf,
        call.recording_url,
        bool(call.recording_url) and getattr(call, "recording", None) is not None,
        call.summary,
        len(call.transcript or ()),
        call.disposition_id,
        call.note,
        call.agent_id,
        call.masked_session_id,
    )


def wallboard_stamp(*, now: datetime | None = None) -> str:
    """Changes within a poll of any call event, new call, agent move, callback or account,
    and at least every WALLBOARD_REFRESH_SECONDS for the rest. Five small reads: two index
    ends and three aggregates over tables as long as the team, the accounts and the
    pending callbacks."""
    now = now or timezone.now()
    agents = Agent.objects.aggregate(since=Max("state_since"), n=Count("id"))
    return stamp(
        CallEvent.objects.aggregate(m=Max("id"))["m"],
        Call.objects.aggregate(m=Max("id"))["m"],
        agents["since"],
        agents["n"],
        ProviderAccount.objects.aggregate(n=Count("id"), at=Max("created_at")),
        Callback.objects.filter(status=Callback.Status.PENDING).aggregate(
            n=Count("id"), m=Max("id")
        ),
        int(now.timestamp()) // WALLBOARD_REFRESH_SECONDS,
    )
