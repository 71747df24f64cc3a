"""The wallboard: live counters, agents, campaigns, provider health, today vs yesterday."""

from __future__ import annotations

import re
import threading

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, SUPERVISOR, role_required, user_role
from callcenter.web.kit import HtmxHttpRequest, toast
from campaigns.models import Campaign, CampaignEntry
from telephony.models import Agent, ProviderAccount
from telephony.selectors.dashboard import agents_board, callbacks_for, wallboard_stats
from telephony.services.live import unchanged, wallboard_stamp
from telephony.services.presence import agent_set_state_by_supervisor

FINISHED_ENTRY_STATES = ("done", "skipped", "failed")
LIVE = "telephony/wallboard.html#live"


@vary_on_headers("HX-Request")
@role_required(ADMIN, SUPERVISOR)
def wallboard(request: HtmxHttpRequest) -> HttpResponse:
    """The board, or its live fragment for a poll; 204 while the poll's stamp holds."""
    version = wallboard_stamp()
    if not request.htmx:
        return _board(request, "telephony/wallboard.html", version)
    if unchanged(request, version):
        return HttpResponse(status=204)
    return HttpResponse(_shared_fragment(request, version))


# This process's last rendered fragment per role: every board polling the same stamp gets
# it, so a change costs one render of a 500-agent board per worker, not one per screen.
_SHARED: dict[str, tuple[str, str]] = {}
_RENDERING = threading.Lock()
_CSRF_SLOT = "\x00csrf\x00"
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _shared_fragment(request: HtmxHttpRequest, version: str) -> str:
    """The live fragment for `version`, rendered once. The role decides what it shows
    (admins get links); the one per-user part, the CSRF token of its forms, is cut out
    when it is rendered and this request's own is put in."""
    role = user_role(request.user) or ""
    return _render_shared(role, request, version).replace(_CSRF_SLOT, get_token(request))


def _render_shared(role: str, request: HtmxHttpRequest, version: str) -> str:
    # Pushed boards ask all at once: one thread renders, the others wait for it and take
    # its render (a 500-agent board costs a few hundred ms; twenty at once would be seconds).
    with _RENDERING:
        shared = _SHARED.get(role)
        if shared is None or shared[0] != version:
            html = render_to_string(LIVE, _context(request, version), request)
            token = _CSRF_FIELD.search(html)
            shared = (version, html.replace(token.group(1), _CSRF_SLOT) if token else html)
            _SHARED[role] = shared
    return shared[1]


@vary_on_headers("HX-Request")
@role_required(ADMIN, SUPERVISOR)
@require_POST
def wallboard_agent_state(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A supervisor sets an agent Ready or Offline; answers with the refreshed board."""
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=pk)
    try:
        agent = agent_set_state_by_supervisor(
            actor=request.user,
            agent=agent,
            state=request.POST.get("state", ""),
            ip=client_ip(request),
        )
        message, level = f"{agent} is now {agent.get_state_display().lower()}.", "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    if not request.htmx:
        (messages.error if level == "error" else messages.success)(request, message)
        return redirect("telephony:wallboard")
    return toast(_board(request, LIVE, wallboard_stamp()), message, level)


def _board(request: HtmxHttpRequest, template: str, version: str) -> HttpResponse:
    """The board rendered for this request alone, its rows' CSRF placeholder filled in."""
    with _RENDERING:
        html = render_to_string(template, _context(request, version), request)
    return HttpResponse(html.replace(_CSRF_SLOT, get_token(request)))


def _context(request: HtmxHttpRequest, version: str) -> dict:
    now = timezone.now()
    return {
        "now": now,
        "wallboard_v": version,
        "stats": wallboard_stats(now),
        "agents": _with_rows(agents_board(now, extensions=False), now),
        "campaigns": _campaign_progress(),
        "accounts": list(ProviderAccount.objects.order_by("name")),
        "callbacks": list(callbacks_for(request.user, agent=None, scope_all=True)[:8]),
    }


ROW = "telephony/wallboard.html#agent_row"
_ROWS: dict[tuple, str] = {}  # what a row prints -> its HTML, for the rows on the board now


def _with_rows(agents: list, now) -> list:
    """Each agent's row HTML, rendered only when something it prints changed: a 500-agent
    board re-rendered whole cost ~150 ms of template per change, in every process. Called
    under _RENDERING, so the cache is never written by two threads."""
    template, fresh = get_template(ROW), {}
    for agent in agents:
        key = (
            agent.pk,
            str(agent),
            str(agent.group or ""),
            agent.state,
            agent.pause_reason,
            agent.overdue,
            agent.enabled,
            agent.wrap_up_limit_seconds,
            timesince(agent.state_since, now),
            agent.calls_today,
        )
        html = _ROWS.get(key)
        if html is None:
            html = template.render({"a": agent, "now": now, "csrf_token": _CSRF_SLOT})
        fresh[key] = html
        agent.row_html = mark_safe(html)  # rendered by the template engine, escaped there
    _ROWS.clear()
    _ROWS.update(fresh)
    return agents


def _campaign_progress() -> list[dict]:
    """Running and paused campaigns with their entries counted by state (one grouped query)."""
    # Views may compose across apps; telephony's models and services never import campaigns.
    campaigns = list(
        Campaign.objects.filter(status__in=[Campaign.Status.RUNNING, Campaign.Status.PAUSED])
        .only("id", "name", "status")
        .order_by("name")
    )
    counts: dict[int, dict[str, int]] = {c.pk: {} for c in campaigns}
    rows = (
        CampaignEntry.objects.filter(campaign__in=campaigns)
        .values("campaign", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["campaign"]][row["state"]] = row["n"]
    result = []
    for campaign in campaigns:
        by_state = counts[campaign.pk]
        total = sum(by_state.values())
        finished = sum(by_state.get(s, 0) for s in FINISHED_ENTRY_STATES)
        result.append(
            {
                "campaign": campaign,
                "total": total,
                "finished": finished,
                "dialing": by_state.get("dialing", 0),
                "pct": round(100 * finished / total) if total else 0,
            }
        )
    return result
