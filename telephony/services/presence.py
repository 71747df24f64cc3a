"""Whether an agent is really there: sessions, login/logout, supervisors' overrides, sweeps.

An agent's state is only true while they hold a live session. Logging in makes them Ready,
logging out makes them Offline, and a periodic sweep catches the sessions that simply
vanished (expired, or the browser was closed) and the wrap-ups a team lets run out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from telephony.models import Agent, Call
from telephony.providers.base import ACTIVE_STATUSES

# The states a supervisor may put an agent in from the wallboard.
SUPERVISOR_STATES = (Agent.State.READY, Agent.State.OFFLINE)


def _live_sessions(now: datetime) -> list[Session]:
    # Database sessions carry the user id only inside their signed payload; the live ones
    # are as many as the people logged in, so decoding them all stays cheap.
    return list(Session.objects.filter(expire_date__gt=now))


def users_with_sessions(*, now: datetime | None = None) -> set[int]:
    ids = set()
    for session in _live_sessions(now or timezone.now()):
        user_id = session.get_decoded().get("_auth_user_id")
        if user_id is not None:
            ids.add(int(user_id))
    return ids


def user_sessions_end(*, user: Any) -> int:
    """Delete every session of `user` (they are signed out everywhere); returns how many."""
    mine = [
        s.pk
        for s in _live_sessions(timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _move(agent: Agent, *, to: str, reason: str = "", only_from: tuple[str, ...]) -> bool:
    """Conditional update: moves the agent only if still in one of `only_from`."""
    now = timezone.now()
    moved = Agent.objects.filter(pk=agent.pk, state__in=only_from).update(
        state=to, pause_reason=reason, state_since=now
    )
    if moved:
        agent.state, agent.pause_reason, agent.state_since = to, reason, now
    return bool(moved)


def agent_on_login(*, user: Any, ip: str | None = None) -> None:
    """An Offline agent who logs in becomes Ready.

    Ready, not Paused: nothing here routes calls to an agent by their state (inbound calls
    ring the extension at the provider, campaigns dial contacts, not agents), so Ready only
    lets the agent place their own click-to-calls. A login is the agent sitting down to
    work; a Paused start would add a click before every shift and protect nobody.
    """
    agent = Agent.objects.filter(user=user, enabled=True).first()
    if agent is None or not _move(agent, to=Agent.State.READY, only_from=(Agent.State.OFFLINE,)):
        return
    audit_log(actor=user, action="agent.state", obj=agent, ip=ip, summary="Offline → Ready (login)")


def agent_on_logout(*, user: Any, ip: str | None = None) -> None:
    """Logging out makes an agent Offline, unless a call is still live (the sweep follows)."""
    agent = Agent.objects.filter(user=user).first()
    if agent is None:
        return
    idle = (Agent.State.READY, Agent.State.PAUSED, Agent.State.WRAP_UP)
    previous = agent.get_state_display()
    if _move(agent, to=Agent.State.OFFLINE, only_from=idle):
        audit_log(
            actor=user, action="agent.state", obj=agent, ip=ip, summary=f"{previous} → Offline"
        )


@transaction.atomic
def agent_set_state_by_supervisor(
    *, actor: Any, agent: Agent, state: str, ip: str | None = None
) -> Agent:
    """A supervisor sets an agent Ready (e.g. a wrap-up left open) or Offline (gone home)."""
    agent = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
    if state not in SUPERVISOR_STATES:
        raise ServiceError("A supervisor can set an agent Ready or Offline.")
    if agent.state == state:
        raise ServiceError(f"{agent} is already {agent.get_state_display().lower()}.")
    if Call.objects.filter(agent=agent, status__in=ACTIVE_STATUSES).exists():
        raise ServiceError(f"{agent} is on a call. Change their state once it has ended.")
    if state == Agent.State.READY:
        if not agent.enabled:
            raise ServiceError(f"{agent} is disabled.")
        if agent.user_id not in users_with_sessions():
            raise ServiceError(f"{agent} is not logged in; they become Ready when they log in.")
    previous = agent.get_state_display()
    agent.state, agent.pause_reason, agent.state_since = state, "", timezone.now()
    agent.save(update_fields=["state", "pause_reason", "state_since"])
    audit_log(
        actor=actor,
        action="agent.state.supervisor",
        obj=agent,
        ip=ip,
        summary=f"{agent}: {previous} → {agent.get_state_display()} (set by a supervisor)",
        data={"state": state},
    )
    return agent


def agents_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Scheduled: overrun wrap-ups of auto-ready teams become Ready; agents with no live
    session become Offline. Each move is a conditional update, so two sweeps never audit
    one change twice."""
    now = now or timezone.now()
    readied = 0
    wrapping = Agent.objects.filter(state=Agent.State.WRAP_UP, group__auto_ready=True)
    for agent in wrapping.select_related("group", "user"):
        if not agent.wrap_up_overdue(now):
            continue
        with transaction.atomic():
            if not _move(agent, to=Agent.State.READY, only_from=(Agent.State.WRAP_UP,)):
                continue
            audit_log(
                actor=None,
                action="agent.state.auto_ready",
                obj=agent,
                summary=f"{agent}: wrap-up passed {agent.wrap_up_limit_seconds} s → Ready",
            )
        readied += 1
    present = users_with_sessions(now=now)
    idle = (Agent.State.READY, Agent.State.PAUSED, Agent.State.WRAP_UP)
    offline = 0
    # state_since before `now`: an agent who logged in after the sessions were read is
    # not mistaken for one whose session vanished.
    stale = Agent.objects.filter(state__in=idle, state_since__lt=now)
    for agent in stale.exclude(user_id__in=present):
        previous = agent.get_state_display()
        with transaction.atomic():
            if not _move(agent, to=Agent.State.OFFLINE, only_from=idle):
                continue
            audit_log(
                actor=None,
                action="agent.state.session_ended",
                obj=agent,
                summary=f"{agent}: {previous} → Offline (no live session)",
            )
        offline += 1
    return {"ready": readied, "offline": offline}
