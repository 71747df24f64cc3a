"""The dialer: one pass (`engine_tick`) picks due entries and places their calls.

Every pass, with the clock passed in (`now`), so tests can drive time:

1. reconcile entries whose lease expired (a worker died mid-dial, or an outcome was
   lost): a call that ended gives its outcome; a live one extends the lease; one whose
   placing request may or may not have reached the provider is marked `unknown` and
   counted as spent. Nothing is ever redialed as the same attempt;
2. for each running campaign, highest priority first, work out how many calls it may
   place now (its own `no_of_call` and calls-per-minute, and the account's concurrency
   and CPS shared by every campaign on it), then take due entries by priority, check
   DNC, opt-out, number, lifetime cap, re-call gap and the calling windows in the
   contact's zone, and claim each one atomically before placing its call;
3. write each campaign's health (why it is or is not dialing) and complete campaigns
   whose entries are all final.

A claim is `UPDATE … WHERE state IN (pending, waiting) AND attempts = n AND campaign is
running`, checked by row count, in the same transaction that records the attempt and
the call row; the request is sent after commit. Pausing therefore stops new dials at
once, and the (entry, number) unique constraint is the last line of defence. The claim,
hold, give-back, skip and defer are written once, in `claims.py` (hosted runs use them
too); the budget is `budget.py`, the health `health.py`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from callcenter.services.errors import ServiceError
from campaigns.dialer.budget import Budget, account_budget, campaign_free_lines
from campaigns.dialer.checks import DialChecks
from campaigns.dialer.claims import (
    attempt_give_back,
    due_entries,
    entries_hold,
    entry_claim,
    entry_give_back,
    entry_set_aside,
)
from campaigns.dialer.health import Health, health_write, local_health, scheduled_health
from campaigns.dialer.hosted import hosted_tick
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.models.campaigns import VARIABLE_RE
from campaigns.services.lifecycle import campaign_complete_if_done
from campaigns.services.outcomes import UNKNOWN, entry_record_outcome
from telephony.providers.base import (
    FINAL_STATUSES,
    InvalidRequest,
    OutboundCallRequest,
    ProviderUnavailable,
    RateLimited,
)
from telephony.services.outbound import (
    call_mark_unknown,
    call_outbound_place,
    provider_error_of,
)

logger = logging.getLogger(__name__)

CALL_LEASE = timedelta(minutes=5)  # re-checked (and extended) while a call is live
MAX_CALL_AGE = timedelta(hours=3)  # a call still "live" after this is settled as unknown
FETCH_FACTOR = 4  # entries fetched per free slot: some will be skipped or deferred
MAX_ROUNDS = 10  # fetch rounds per campaign per pass, so one pass stays short
DIALING = CampaignEntry.State.DIALING


@dataclass
class TickResult:
    dialed: int = 0
    skipped: int = 0
    deferred: int = 0
    reconciled: int = 0
    completed: int = 0
    running: int = 0


# -- the pass ----------------------------------------------------------------------------------
def engine_tick(*, now: datetime | None = None) -> TickResult:
    now = now or timezone.now()
    result = TickResult()
    result.reconciled = engine_reconcile(now=now)
    campaigns = list(
        Campaign.objects.filter(status=Campaign.Status.RUNNING)
        .select_related("account", "did", "tts_template", "call_flow", "voicebot")
        .order_by("-priority", "started_at", "id")
    )
    result.running = len(campaigns)
    budgets: dict[int, Budget] = {}
    for campaign in campaigns:
        if campaign.execution == Campaign.Execution.HOSTED:
            health = hosted_tick(campaign=campaign, now=now)
        else:
            budget = budgets.get(campaign.account_id) or account_budget(campaign.account, now)
            budgets[campaign.account_id] = budget
            health = _Dispatch(campaign, budget, now).run(result)
        health_write(campaign, health, now)
        if campaign_complete_if_done(campaign_id=campaign.pk, now=now):
            result.completed += 1
    return result


@dataclass
class _Dispatch:
    """One local campaign's share of a pass: rounds of fetch, check, claim and place."""

    campaign: Campaign
    budget: Budget
    now: datetime
    zones: dict[tuple[str, ...], tuple[bool, datetime | None, bool]] = field(default_factory=dict)
    tally: Counter = field(default_factory=Counter)  # "dial" / "skip" / "defer"
    free: int = 0

    def run(self, result: TickResult) -> Health:
        held = scheduled_health(self.campaign, self.now)
        if held or self.budget.blocked:
            return held or Health(self.budget.blocked, self.budget.detail)
        self.free = campaign_free_lines(self.campaign, self.now)
        for _ in range(MAX_ROUNDS):
            room = self.room()
            batch = due_entries(self.campaign, self.now, room * FETCH_FACTOR) if room > 0 else []
            if not batch:
                break
            self.round(batch)
        dialed = self.tally["dial"]
        result.dialed += dialed
        result.skipped += self.tally["skip"]
        result.deferred += self.tally["defer"]
        return local_health(
            self.campaign, self.budget, dialed=dialed, free=self.free - dialed, zones=self.zones
        )

    def room(self) -> int:
        if self.budget.blocked:
            return 0
        return min(self.free - self.tally["dial"], self.budget.slots, self.budget.tokens)

    def round(self, batch: list[CampaignEntry]) -> None:
        checks = DialChecks(self.campaign, batch, self.now)
        placed: list[int] = []
        for entry in batch:
            if self.room() <= 0:
                break
            verdict = checks.verdict(entry, self.zones)
            if verdict[0] != "dial":
                self.tally[verdict[0]] += entry_set_aside(entry, verdict)
            elif _dial(self.campaign, entry, self.now, self.budget, placed):
                self.tally["dial"] += 1
                self.budget.spend()
        # Placed calls hold their entries for `CALL_LEASE`, one UPDATE for the round's
        # calls (one per call was a commit each). Should the worker die first, the short
        # claim lease expires into reconciliation, which finds the provider's call id and
        # holds the entry the same way: nothing is redialed.
        entries_hold(placed, self.now + CALL_LEASE)


# -- placing one call --------------------------------------------------------------------------
def _dial(
    campaign: Campaign, entry: CampaignEntry, now: datetime, budget: Budget, placed: list[int]
) -> bool:
    """Claim, record and place one call; True when an attempt was spent. The entry joins
    `placed` when the provider took the call."""
    number = entry.attempts + 1
    attempt = entry_claim(
        campaign, entry, now, detail=f"Campaign {campaign.name}, attempt {number}"
    )
    if attempt is None:
        return False  # paused, or claimed by another engine
    call = attempt.call
    try:
        call_outbound_place(call=call, request=_request(campaign, entry, call, number))
    except ServiceError as exc:
        _refused(attempt, exc, budget, now)
        return True  # the attempt is spent either way; it counts against the limits
    placed.append(entry.pk)
    return True


def _request(
    campaign: Campaign,
    entry: CampaignEntry,
    call,
    number: int,
) -> OutboundCallRequest:
    contact = entry.contact
    variables = {"name": contact.name, "phone": entry.phone, **(contact.variables or {})}
    template = campaign.tts_template
    return OutboundCallRequest(
        to_number=entry.phone,
        did_number=campaign.did.number if campaign.did else "",
        reference=str(call.pk),
        text=render_text(template.text, variables) if template else "",
        template_name=(template.provider_template_id or template.name) if template else "",
        variables=variables,
        flow_id=campaign.call_flow.provider_flow_id if campaign.call_flow else "",
        bot_id=campaign.voicebot.provider_bot_id if campaign.voicebot else "",
        tag=f"{campaign.pk}:{entry.pk}:{number}",
    )


def render_text(text: str, variables: dict) -> str:
    """`{name}` -> the contact's value; a variable the contact lacks becomes empty."""
    return VARIABLE_RE.sub(lambda m: str(variables.get(m.group(1), "")), text)


def _refused(attempt: CampaignAttempt, exc: ServiceError, budget: Budget, now: datetime) -> None:
    error = provider_error_of(exc)
    if isinstance(error, RateLimited | ProviderUnavailable):
        # Definitely not placed: give the attempt number back and wait as told.
        retry = timedelta(seconds=getattr(error, "retry_after", None) or 30)
        attempt_give_back(attempt, at=now + retry)
        budget.blocked = (
            "breaker_open" if isinstance(error, ProviderUnavailable) else "rate_limited"
        )
        budget.detail = exc.message
        return
    permanent = bool(error and error.permanent)
    reason = "invalid_number" if isinstance(error, InvalidRequest) else "provider_refused"
    entry_record_outcome(
        attempt_id=attempt.pk, outcome="failed", now=now, permanent=permanent, reason=reason
    )


# -- reconciliation ----------------------------------------------------------------------------
def engine_reconcile(*, now: datetime, limit: int = 500) -> int:
    """Settle entries whose lease expired. Never places a call."""
    expired = (
        CampaignEntry.objects.filter(state=DIALING, leased_until__lt=now)
        .select_related("campaign")
        .order_by("leased_until")[:limit]
    )
    settled = 0
    for entry in expired:
        settled += _reconcile_one(entry, now)
    return settled + _settle_lost_outcomes(now=now, limit=limit)


def _settle_lost_outcomes(*, now: datetime, limit: int) -> int:
    """Calls that ended while their outcome was not recorded: `call_finished` runs after
    commit, so a database restart at that instant loses it. Settled at the next pass
    rather than when the entry's lease expires minutes later. Starts from the few
    entries in `dialing` (indexed), so it costs little however large the tables grow."""
    lost = CampaignAttempt.objects.filter(
        entry__state=DIALING,
        entry__attempts=F("number"),
        outcome="",
        call__status__in=[str(s) for s in FINAL_STATUSES],
    ).values_list("pk", "call__status")[:limit]
    return sum(
        int(entry_record_outcome(attempt_id=pk, outcome=status, now=now)) for pk, status in lost
    )


def _reconcile_one(entry: CampaignEntry, now: datetime) -> int:
    attempt = (
        CampaignAttempt.objects.filter(entry=entry, number=entry.attempts)
        .select_related("call")
        .first()
    )
    if attempt is None:
        # Claimed but nothing recorded (cannot happen with the claim's transaction, but a
        # hand-edited row must not block the campaign): nothing was sent, so give it back.
        return entry_give_back(entry_id=entry.pk, number=entry.attempts, at=now)
    call = attempt.call
    if call is not None and call.is_final:
        return int(entry_record_outcome(attempt_id=attempt.pk, outcome=call.status, now=now))
    placed = attempt.placed_at or now
    hosted = entry.campaign.execution == Campaign.Execution.HOSTED
    if call is not None and call.provider_call_id and (hosted or now - placed < MAX_CALL_AGE):
        # The provider has the call (live, or `unknown` after a timeout that telephony's
        # reconciler is asking about): wait for its word.
        entries_hold([entry.pk], now + CALL_LEASE)
        return 0
    if call is not None:
        call_mark_unknown(call=call, reason="The dialer stopped before the provider answered.")
    logger.warning("campaign entry %s attempt %s settled as unknown", entry.pk, attempt.number)
    return int(entry_record_outcome(attempt_id=attempt.pk, outcome=UNKNOWN, now=now))
