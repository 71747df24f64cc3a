"""A campaign's health: why it is or is not dialing, written by every pass of the dialer
(local and hosted alike) and shown on the campaign's page. Codes: HEALTH_LABELS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaigns.dialer.budget import Budget
from campaigns.models import OPEN_STATES, Campaign, CampaignEntry

REWRITE_AFTER = timedelta(seconds=15)  # an unchanged health is rewritten to show it is fresh


@dataclass
class Health:
    code: str = ""
    detail: str = ""
    counts: dict = field(default_factory=dict)


def scheduled_health(campaign: Campaign, now: datetime) -> Health | None:
    """`scheduled` while the campaign's start time is still ahead."""
    if campaign.schedule_at and campaign.schedule_at > now:
        return Health("scheduled", f"Starts at {campaign.schedule_at:%Y-%m-%d %H:%M} UTC.")
    return None


def local_health(
    campaign: Campaign, budget: Budget, *, dialed: int, free: int, zones: dict
) -> Health:
    """After a local pass: what placed calls, or what held them back."""
    if budget.blocked:
        return Health(budget.blocked, budget.detail)
    if dialed:
        return Health("dialing", f"Placed {dialed} call{'s' if dialed != 1 else ''} just now.")
    if free <= 0:
        return Health("capped", f"All {campaign.no_of_call} lines of this campaign are busy.")
    if budget.slots <= 0:
        return Health(
            "account_busy",
            f"The account's {campaign.account.concurrency_limit} concurrent calls are all in "
            "use (shared by every campaign on it).",
        )
    if budget.tokens <= 0:
        return Health("account_busy", "The account's calls-per-second limit is reached.")
    return _idle_health(campaign, zones)


def _idle_health(campaign: Campaign, zones: dict) -> Health:
    """Room to dial but nothing placed: the list is done, or its next entry is not due."""
    open_entries = campaign.entries.filter(state__in=OPEN_STATES)
    nxt = open_entries.order_by("next_attempt_at").values("next_attempt_at", "attempts").first()
    if nxt is None:
        live = campaign.entries.filter(state=CampaignEntry.State.DIALING).count()
        return Health("list_exhausted", f"Every contact has been dialed; {live} calls still live.")
    when = nxt["next_attempt_at"]
    outside = Health(
        "outside_window", f"Outside the calling window; next opens {when:%a %H:%M} UTC."
    )
    if zones and not any(window[0] for window in zones.values()):
        return outside
    if nxt["attempts"]:
        return Health("waiting_retry", f"Waiting for retries; next at {when:%a %H:%M} UTC.")
    return outside


def health_write(campaign: Campaign, health: Health, now: datetime) -> None:
    stale = campaign.health_at is None or now - campaign.health_at > REWRITE_AFTER
    if not stale and (campaign.health_code, campaign.health_detail) == (health.code, health.detail):
        return
    Campaign.objects.filter(pk=campaign.pk).update(
        health_code=health.code, health_detail=health.detail[:300], health_at=now
    )
