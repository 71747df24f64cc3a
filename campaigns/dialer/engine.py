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
once, and the (entry, number) unique constraint is the last line of defence.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from callcenter.services.errors import ServiceError
from campaigns.dialer.checks import DialChecks
from campaigns.dialer.hosted import hosted_tick
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services.lifecycle import OPEN_STATES, campaign_complete_if_done
from campaigns.services.outcomes import UNKNOWN, entry_record_outcome
from telephony.models import ProviderAccount
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
    call_outbound_prepare,
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


@dataclass
class Budget:
    """What one account may still do in this pass (shared by all its campaigns)."""

    slots: int
    tokens: int
    blocked: str = ""  # a health code when the provider itself said stop
    detail: str = ""


@dataclass
class Health:
    code: str = ""
    detail: str = ""
    counts: dict = field(default_factory=dict)


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
            budget = budgets.get(campaign.account_id) or _account_budget(campaign.account, now)
            budgets[campaign.account_id] = budget
            health = _dispatch(campaign, budget, now, result)
        _write_health(campaign, health, now)
        if campaign_complete_if_done(campaign_id=campaign.pk, now=now):
            result.completed += 1
    return result


def _account_budget(account: ProviderAccount, now: datetime) -> Budget:
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


def _dispatch(campaign: Campaign, budget: Budget, now: datetime, result: TickResult) -> Health:
    if campaign.schedule_at and campaign.schedule_at > now:
        return Health("scheduled", f"Starts at {campaign.schedule_at:%Y-%m-%d %H:%M} UTC.")
    if budget.blocked:
        return Health(budget.blocked, budget.detail)
    dialing = campaign.entries.filter(state=DIALING).count()
    free = campaign.no_of_call - dialing
    if campaign.calls_per_minute:
        minute = CampaignAttempt.objects.filter(
            entry__campaign=campaign, placed_at__gt=now - timedelta(seconds=60)
        ).count()
        free = min(free, campaign.calls_per_minute - minute)
    dialed = skipped = deferred = 0
    zones: dict[tuple[str, ...], tuple[bool, datetime | None, bool]] = {}
    for _ in range(MAX_ROUNDS):
        capacity = min(free - dialed, budget.slots, budget.tokens)
        if capacity <= 0 or budget.blocked:
            break
        batch = _due_entries(campaign, now, capacity * FETCH_FACTOR)
        if not batch:
            break
        checks = DialChecks(campaign, batch, now)
        placed: list[int] = []
        for entry in batch:
            if min(free - dialed, budget.slots, budget.tokens) <= 0 or budget.blocked:
                break
            verdict = checks.verdict(entry, zones)
            if verdict[0] == "skip":
                skipped += _skip(entry, verdict[1])
            elif verdict[0] == "defer":
                deferred += _defer(entry, verdict[1])
            elif _dial(campaign, entry, now, budget, placed):
                dialed += 1
                budget.slots -= 1
                budget.tokens -= 1
        _extend_leases(placed, now)
    result.dialed += dialed
    result.skipped += skipped
    result.deferred += deferred
    return _health(campaign, budget, now, dialed=dialed, free=free - dialed, zones=zones)


def _due_entries(campaign: Campaign, now: datetime, limit: int) -> list[CampaignEntry]:
    qs = campaign.entries.filter(state__in=OPEN_STATES, next_attempt_at__lte=now).order_by(
        "-priority", "next_attempt_at", "id"
    )
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: two engines (should the lease ever be lost) skip each other's rows
        # instead of both reading them; the claim below is what makes it safe either way.
        with transaction.atomic():
            ids = list(
                qs.select_for_update(skip_locked=True, of=("self",)).values_list("pk")[:limit]
            )
        qs = CampaignEntry.objects.filter(pk__in=[i for (i,) in ids]).order_by(
            "-priority", "next_attempt_at", "id"
        )
    return list(qs.select_related("contact")[:limit])


def _skip(entry: CampaignEntry, reason: str) -> int:
    # An entry that already had attempts keeps its last outcome beside the reason.
    return CampaignEntry.objects.filter(
        pk=entry.pk, state__in=OPEN_STATES, attempts=entry.attempts
    ).update(state=CampaignEntry.State.SKIPPED, skip_reason=reason, updated_at=timezone.now())


def _defer(entry: CampaignEntry, until: datetime) -> int:
    return CampaignEntry.objects.filter(
        pk=entry.pk, state__in=OPEN_STATES, attempts=entry.attempts
    ).update(next_attempt_at=until)


# -- placing one call --------------------------------------------------------------------------
def _dial(
    campaign: Campaign, entry: CampaignEntry, now: datetime, budget: Budget, placed: list[int]
) -> bool:
    """Claim, record and place one call; True when an attempt was spent. The entry joins
    `placed` when the provider took the call."""
    number = entry.attempts + 1
    lease = now + timedelta(seconds=settings.CAMPAIGN_DIAL_LEASE_SECONDS)
    with transaction.atomic():
        claimed = CampaignEntry.objects.filter(
            pk=entry.pk,
            state__in=OPEN_STATES,
            attempts=entry.attempts,
            campaign__status=Campaign.Status.RUNNING,
        ).update(state=DIALING, attempts=F("attempts") + 1, leased_until=lease)
        if claimed != 1:
            return False  # paused, or claimed by another engine
        call = call_outbound_prepare(
            account=campaign.account,
            kind=campaign.content,
            to_number=entry.phone,
            did=campaign.did,
            contact=entry.contact,
            detail=f"Campaign {campaign.name}, attempt {number}",
        )
        attempt = CampaignAttempt.objects.create(
            entry=entry, number=number, call=call, phone=entry.phone, placed_at=now
        )
    try:
        call_outbound_place(call=call, request=_request(campaign, entry, call, number))
    except ServiceError as exc:
        _refused(attempt, exc, budget, now)
        return True  # the attempt is spent either way; it counts against the limits
    placed.append(entry.pk)
    return True


def _extend_leases(placed: list[int], now: datetime) -> None:
    """Placed calls hold their entries for `CALL_LEASE`, one UPDATE for a round's calls
    (one per call was a commit each). Should the worker die first, the short claim lease
    expires into reconciliation, which finds the provider's call id and extends it the
    same way: nothing is redialed. An entry claimed once per round cannot have moved to
    another attempt meanwhile, so `state` alone guards the update."""
    if placed:
        CampaignEntry.objects.filter(pk__in=placed, state=DIALING).update(
            leased_until=now + CALL_LEASE
        )


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
    from campaigns.models.campaigns import VARIABLE_RE

    return VARIABLE_RE.sub(lambda m: str(variables.get(m.group(1), "")), text)


def _refused(attempt: CampaignAttempt, exc: ServiceError, budget: Budget, now: datetime) -> None:
    error = provider_error_of(exc)
    if isinstance(error, RateLimited | ProviderUnavailable):
        # Definitely not placed: give the attempt number back and wait as told.
        retry = timedelta(seconds=getattr(error, "retry_after", None) or 30)
        with transaction.atomic():
            back = CampaignEntry.objects.filter(
                pk=attempt.entry_id, state=DIALING, attempts=attempt.number
            ).update(
                state=CampaignEntry.State.PENDING
                if attempt.number == 1
                else CampaignEntry.State.WAITING,
                attempts=F("attempts") - 1,
                leased_until=None,
                next_attempt_at=now + retry,
            )
            if back:
                attempt.delete()
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
        return CampaignEntry.objects.filter(
            pk=entry.pk, state=DIALING, attempts=entry.attempts
        ).update(
            state=CampaignEntry.State.PENDING
            if entry.attempts <= 1
            else CampaignEntry.State.WAITING,
            attempts=F("attempts") - 1,
            leased_until=None,
            next_attempt_at=now,
        )
    call = attempt.call
    if call is not None and call.is_final:
        return int(entry_record_outcome(attempt_id=attempt.pk, outcome=call.status, now=now))
    placed = attempt.placed_at or now
    hosted = entry.campaign.execution == Campaign.Execution.HOSTED
    if call is not None and call.provider_call_id and (hosted or now - placed < MAX_CALL_AGE):
        # The provider has the call (live, or `unknown` after a timeout that telephony's
        # reconciler is asking about): wait for its word.
        return (
            CampaignEntry.objects.filter(pk=entry.pk, state=DIALING).update(
                leased_until=now + CALL_LEASE
            )
            and 0
        )
    if call is not None:
        call_mark_unknown(call=call, reason="The dialer stopped before the provider answered.")
    logger.warning("campaign entry %s attempt %s settled as unknown", entry.pk, attempt.number)
    return int(entry_record_outcome(attempt_id=attempt.pk, outcome=UNKNOWN, now=now))


# -- health ------------------------------------------------------------------------------------
def _health(
    campaign: Campaign, budget: Budget, now: datetime, *, dialed: int, free: int, zones: dict
) -> Health:
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
    open_entries = campaign.entries.filter(state__in=OPEN_STATES)
    nxt = open_entries.order_by("next_attempt_at").values("next_attempt_at", "attempts").first()
    if nxt is None:
        live = campaign.entries.filter(state=DIALING).count()
        return Health("list_exhausted", f"Every contact has been dialed; {live} calls still live.")
    when = nxt["next_attempt_at"]
    if zones and not any(window[0] for window in zones.values()):
        return Health(
            "outside_window", f"Outside the calling window; next opens {when:%a %H:%M} UTC."
        )
    if nxt["attempts"]:
        return Health("waiting_retry", f"Waiting for retries; next at {when:%a %H:%M} UTC.")
    return Health("outside_window", f"Outside the calling window; next opens {when:%a %H:%M} UTC.")


def _write_health(campaign: Campaign, health: Health, now: datetime) -> None:
    stale = campaign.health_at is None or now - campaign.health_at > timedelta(seconds=15)
    if not stale and (campaign.health_code, campaign.health_detail) == (health.code, health.detail):
        return
    Campaign.objects.filter(pk=campaign.pk).update(
        health_code=health.code, health_detail=health.detail[:300], health_at=now
    )
