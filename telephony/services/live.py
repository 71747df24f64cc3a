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
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from telephony.models import Agent, Call, Callback, CallEvent, ProviderAccount

# The wallboard also shows things no cheap stamp sees (provider health, campaign progress,
# "in state" minutes, its clock): it re-renders at least this often, as it did before.
WALLBOARD_REFRESH_SECONDS = 5
# agent_current_call shows an ended call without a disposition for this long.
WRAP_UP_SHOWN_FOR = timedelta(hours=12)


def stamp(*parts: Any) -> str:
    """A short digest of `parts` (their repr): equal data, equal stamp, in every process."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def unchanged(request: Any, current: str, name: str = "v") -> bool:
    """The poll carries the stamp its fragment was rendered at, and nothing changed since."""
    return request.GET.get(name) == current


def agent_stamp(agent: Agent) -> str:
    """The workspace status: the state, its reason and since when (the clock ticks in JS)."""
    return stamp(agent.state, agent.pause_reason, agent.state_since.timestamp())


def current_call_stamp(agent: Agent, *, now: datetime | None = None) -> str:
    """What the workspace's current-call card shows, from one narrow indexed read.

    The same row agent_current_call picks (the agent's latest call) and the fields the
    card prints, plus whether an unwrapped ended call is still within its window.
    """
    now = now or timezone.now()
    row = (
        Call.objects.filter(agent=agent)
        .order_by("-created_at", "-id")
        .values_list(
            "pk",
            "status",
            "created_at",
            "disposition_id",
            "duration_seconds",
            "to_number",
            "call_type",
            "contact__name",
        )
        .first()
    )
    if row is None:
        return stamp(None)
    return stamp(*row, row[2] >= now - WRAP_UP_SHOWN_FOR)


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
