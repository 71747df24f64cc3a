"""How many calls a campaign may place in this pass: its own lines and calls per minute,
and its account's concurrency and calls per second (shared by every campaign on it)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from telephony.models import ProviderAccount

DIALING = CampaignEntry.State.DIALING


@dataclass
class Budget:
    """What one account may still do in this pass (shared by all its campaigns)."""

    slots: int
    tokens: int
    blocked: str = ""  # a health code when the provider itself said stop
    detail: str = ""

    def spend(self) -> None:
        self.slots -= 1
        self.tokens -= 1


def account_budget(account: ProviderAccount, now: datetime) -> Budget:
    in_flight = CampaignEntry.objects.filter(campaign__account=account, state=DIALING).count()
    slots = max(account.concurrency_limit, 1) - in_flight
    budget = Budget(slots=slots, tokens=_cps_tokens(account, now))
    if account.breaker_state == ProviderAccount.BreakerState.OPEN:
        budget.blocked = "breaker_open"
        budget.detail = f"{account} keeps failing, so the circuit breaker holds calls back."
    return budget


def _cps_tokens(account: ProviderAccount, now: datetime) -> int:
    """Calls the account may still start in its current CPS window (fractional CPS = a
    longer window: 0.5 CPS is one call per 2 s)."""
    cps = account.calls_per_second
    if cps <= 0:
        return 10**6
    window = max(1.0, 1.0 / cps)
    limit = max(1, math.floor(cps * window))
    recent = CampaignAttempt.objects.filter(
        entry__campaign__account=account, placed_at__gt=now - timedelta(seconds=window)
    ).count()
    return limit - recent


def campaign_free_lines(campaign: Campaign, now: datetime) -> int:
    """The campaign's own room: its lines not dialing, within its calls per minute."""
    free = campaign.no_of_call - campaign.entries.filter(state=DIALING).count()
    if campaign.calls_per_minute:
        minute = CampaignAttempt.objects.filter(
            entry__campaign=campaign, placed_at__gt=now - timedelta(seconds=60)
        ).count()
        free = min(free, campaign.calls_per_minute - minute)
    return free
