"""The wallboard: live counters, agents, campaigns, provider health, today vs yesterday."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from callcenter.roles import ADMIN, SUPERVISOR, role_required
from telephony.models import ProviderAccount
from telephony.selectors_dashboard import agents_board, callbacks_for, wallboard_stats

FINISHED_ENTRY_STATES = ("done", "skipped", "failed")


@role_required(ADMIN, SUPERVISOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "now": now,
        "stats": wallboard_stats(now),
        "agents": agents_board(now),
        "campaigns": _campaign_progress(),
        "accounts": list(ProviderAccount.objects.order_by("name")),
        "callbacks": list(callbacks_for(request.user, agent=None, scope_all=True)[:8]),
    }
    template = "telephony/wallboard.html#live" if request.htmx else "telephony/wallboard.html"
    return render(request, template, context)


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
