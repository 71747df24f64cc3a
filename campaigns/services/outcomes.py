"""What an attempt's outcome does to its entry: done, retry later, or give up.

Outcomes arrive from telephony's `call_finished` signal (after commit, once per call),
from the engine's reconciliation of expired leases, or from a refused placing request.
Each is applied at most once per attempt: the attempt's `outcome` is the latch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from contacts.models import Contact, DNCEntry
from contacts.services.contacts import dnc_add

DEFAULT_GAP_MINUTES = 60
UNKNOWN = "unknown"


def retry_gap(campaign: Campaign, attempt_number: int) -> timedelta:
    """The gap after attempt `attempt_number`: one value for all, or one per retry (the
    last repeats when the list is shorter than the retries)."""
    gaps = campaign.gap_between_retries
    if isinstance(gaps, int | float):
        gaps = [gaps]
    gaps = [g for g in (gaps or []) if isinstance(g, int | float) and g >= 0]
    if not gaps:
        return timedelta(minutes=DEFAULT_GAP_MINUTES)
    return timedelta(minutes=gaps[min(attempt_number, len(gaps)) - 1])


def _retryable(campaign: Campaign, outcome: str) -> bool:
    # An attempt we cannot prove was placed counts as a failed one: it is never redialed
    # as the same attempt, only retried as the next one when failures are retried.
    return (outcome if outcome != UNKNOWN else "failed") in (campaign.retry_on or [])


def entry_record_outcome(
    *,
    attempt_id: int,
    outcome: str,
    now: datetime | None = None,
    permanent: bool = False,
    reason: str = "",
) -> bool:
    """Apply an attempt's outcome to its entry. Returns False if already applied."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            # `of`: PostgreSQL refuses FOR UPDATE on the nullable side of the call's
            # outer join; the attempt row is the latch that needs the lock.
            CampaignAttempt.objects.select_for_update(of=("self",))
            .select_related("entry__campaign", "call")
            .get(pk=attempt_id)
        )
        if attempt.outcome and attempt.outcome != UNKNOWN:
            return False
        first = not attempt.outcome
        attempt.outcome = outcome
        attempt.save(update_fields=["outcome"])
        entry = attempt.entry
        if not first or entry.state != CampaignEntry.State.DIALING:
            return False  # a late truth about an attempt already settled as unknown
        if entry.attempts != attempt.number:
            return False
        _settle(entry, attempt, outcome, now=now, permanent=permanent, reason=reason)
    return True


def _settle(
    entry: CampaignEntry,
    attempt: CampaignAttempt,
    outcome: str,
    *,
    now: datetime,
    permanent: bool,
    reason: str,
) -> None:
    campaign = entry.campaign
    entry.outcome = outcome
    entry.leased_until = None
    call = attempt.call
    if call is not None and campaign.optout_digit and campaign.optout_digit in (call.dtmf or ""):
        _opt_out(entry, campaign)
    if outcome == "completed":
        entry.state = CampaignEntry.State.DONE
    elif (
        not permanent
        and campaign.execution == Campaign.Execution.LOCAL
        and attempt.number <= campaign.number_of_retries
        and _retryable(campaign, outcome)
    ):
        entry.state = CampaignEntry.State.WAITING
        ended = call.ended_at if call is not None and call.ended_at else None
        base = max(attempt.placed_at or now, ended or attempt.placed_at or now)
        entry.next_attempt_at = base + retry_gap(campaign, attempt.number)
    else:
        entry.state = CampaignEntry.State.FAILED
        entry.skip_reason = reason[:40]
    entry.save(
        update_fields=[
            "outcome",
            "leased_until",
            "state",
            "next_attempt_at",
            "skip_reason",
            "updated_at",
        ]
    )


def _opt_out(entry: CampaignEntry, campaign: Campaign) -> None:
    """The contact pressed the opt-out key: never call the number again, anywhere."""
    dnc_add(
        user=None,
        numbers=[entry.phone],
        source=DNCEntry.Source.DTMF_OPTOUT,
        reason=f"campaign outcome: pressed {campaign.optout_digit} in {campaign.name}"[:200],
    )
    Contact.objects.filter(pk=entry.contact_id, opted_out=False).update(
        opted_out=True, opted_out_at=timezone.now()
    )


def on_call_finished(sender, call, **kwargs) -> None:
    """telephony's `call_finished`: a campaign call ended; plan what comes next."""
    attempt_id = CampaignAttempt.objects.filter(call=call).values_list("pk", flat=True).first()
    if attempt_id is None:
        return  # not a campaign call
    entry_record_outcome(attempt_id=attempt_id, outcome=call.status)
