"""The claim discipline of a campaign entry, in one place for the engine and hosted runs.

Every write that moves an entry is a guarded UPDATE checked by its row count, never a
read-then-save: `state` and `attempts` in the WHERE clause say which attempt the writer
saw, so two engines (or an engine and a late outcome) cannot both act on one entry.

- claim: open -> dialing, `attempts + 1`, with a short lease; the attempt and its call
  row commit in the same transaction (the request is sent after commit);
- hold: a dialing entry's lease is extended while the provider has its call;
- give back: an attempt that was certainly never sent returns its number, and the
  entry is due again (pending for a first attempt, waiting for a retry);
- skip / defer: what the dial-time checks decided, for an entry still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.models import OPEN_STATES, Campaign, CampaignAttempt, CampaignEntry
from telephony.services.outbound import call_outbound_prepare

DIALING = CampaignEntry.State.DIALING
DUE_ORDER = ("-priority", "next_attempt_at", "id")


def due_entries(campaign: Campaign, now: datetime, limit: int) -> list[CampaignEntry]:
    """Up to `limit` open entries due now, highest priority first, with their contacts."""
    qs = campaign.entries.filter(state__in=OPEN_STATES, next_attempt_at__lte=now).order_by(
        *DUE_ORDER
    )
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: two engines (should the lease ever be lost) skip each other's rows
        # instead of both reading them; the claim is what makes it safe either way.
        with transaction.atomic():
            ids = list(
                qs.select_for_update(skip_locked=True, of=("self",)).values_list("pk")[:limit]
            )
        qs = CampaignEntry.objects.filter(pk__in=[i for (i,) in ids]).order_by(*DUE_ORDER)
    return list(qs.select_related("contact")[:limit])


def entry_claim(
    campaign: Campaign, entry: CampaignEntry, now: datetime, *, detail: str
) -> CampaignAttempt | None:
    """Claim `entry` for its next attempt and record the attempt with its call row, in one
    transaction. None when the entry moved meanwhile or the campaign is no longer
    running (a pause stops new dials the moment it commits)."""
    lease = now + timedelta(seconds=settings.CAMPAIGN_DIAL_LEASE_SECONDS)
    with transaction.atomic():
        claimed = CampaignEntry.objects.filter(
            pk=entry.pk,
            state__in=OPEN_STATES,
            attempts=entry.attempts,
            campaign__status=Campaign.Status.RUNNING,
        ).update(state=DIALING, attempts=F("attempts") + 1, leased_until=lease)
        if claimed != 1:
            return None
        call = call_outbound_prepare(
            account=campaign.account,
            kind=campaign.content,
            to_number=entry.phone,
            did=campaign.did,
            contact=entry.contact,
            detail=detail,
        )
        return CampaignAttempt.objects.create(
            entry=entry, number=entry.attempts + 1, call=call, phone=entry.phone, placed_at=now
        )


def entries_hold(entry_ids: Iterable[int], until: datetime) -> int:
    """Keep dialing entries leased until `until`: the provider has their calls, and only
    its word (or reconciliation after `until`) settles them. An entry claimed once in
    this pass cannot have moved to another attempt, so `state` alone guards it."""
    ids = list(entry_ids)
    if not ids:
        return 0
    return CampaignEntry.objects.filter(pk__in=ids, state=DIALING).update(leased_until=until)


def entry_give_back(*, entry_id: int, number: int, at: datetime) -> int:
    """Attempt `number` was certainly never sent: the entry gets the number back and is
    due again at `at`. Rows changed (0 when the entry is no longer on that attempt)."""
    return CampaignEntry.objects.filter(pk=entry_id, state=DIALING, attempts=number).update(
        state=CampaignEntry.State.PENDING if number <= 1 else CampaignEntry.State.WAITING,
        attempts=F("attempts") - 1,
        leased_until=None,
        next_attempt_at=at,
    )


def attempt_give_back(attempt: CampaignAttempt, *, at: datetime) -> bool:
    """Give back the attempt's entry and drop the attempt row (it was never dialed)."""
    with transaction.atomic():
        back = entry_give_back(entry_id=attempt.entry_id, number=attempt.number, at=at)
        if back:
            attempt.delete()
    return bool(back)


def entry_skip(entry: CampaignEntry, reason: str) -> int:
    # An entry that already had attempts keeps its last outcome beside the reason.
    return CampaignEntry.objects.filter(
        pk=entry.pk, state__in=OPEN_STATES, attempts=entry.attempts
    ).update(state=CampaignEntry.State.SKIPPED, skip_reason=reason, updated_at=timezone.now())


def entry_defer(entry: CampaignEntry, until: datetime) -> int:
    return CampaignEntry.objects.filter(
        pk=entry.pk, state__in=OPEN_STATES, attempts=entry.attempts
    ).update(next_attempt_at=until)


def entry_set_aside(entry: CampaignEntry, verdict: tuple) -> int:
    """Apply a dial-time `skip` or `defer` verdict (`DialChecks.verdict`); rows changed."""
    if verdict[0] == "skip":
        return entry_skip(entry, verdict[1])
    if verdict[0] == "defer":
        return entry_defer(entry, verdict[1])
    return 0
