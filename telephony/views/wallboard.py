"""The wallboard: live counters, agents, campaigns, provider health, today vs yesterday."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, SUPERVISOR, role_required
from callcenter.web.kit import toast
from telephony.models import Agent, ProviderAccount
from telephony.selectors.dashboard import agents_board, callbacks_for, wallboard_stats
from telephony.services.presence import agent_set_state_by_supervisor

FINISHED_ENTRY_STATES = ("done", "skipped", "failed")


@role_required(ADMIN, SUPERVISOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    template = "telephony/wallboard.html#live" if request.htmx else "telephony/wallboard.html"
    return render(request, template, _context(request))


@role_required(ADMIN, SUPERVISOR)
@require_POST
def wallboard_agent_state(request: HttpRequest, pk: int) -> HttpResponse:
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
    response = render(request, "telephony/wallboard.html#live", _context(request))
    return toast(response, message, level)


def _context(request: HttpRequest) -> dict:
    now = timezone.now()
    return {
        "now": now,
        "stats": wallboard_stats(now),
        "agents": agents_board(now),
        "campaigns": _campaign_progress(),
        "accounts": list(ProviderAccount.objects.order_by("name")),
        "callbacks": list(callbacks_for(request.user, agent=None, scope_all=True)[:8]),
    }


def _campaign_progress() -> list[dict]:
    """Running and paused campaigns with their entries counted by state (one grouped query)."""
    # Views may compose across apps; telephony's models and services never import campaigns.
    from campaigns.models import Campaign, CampaignEntry

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
