"""Hosted execution: the provider dials the list; we push entries and sync results back.

Entries go through the same dial-time checks and the same atomic claim as local ones
(the claim, the attempt and the call row commit together before the push), and only
entries inside their calling window now are pushed, in batches. Results come back as
`CallUpdate`s whose `reference` is our entry id; they are merged into the calls like any
provider event, so telephony's `call_finished` settles the entries exactly as it does
for calls placed here. Retries are the provider's (the spec carries them); an entry is
final after the outcome the provider reports.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from callcenter.errors import ServiceError
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from telephony.models import Call
from telephony.providers.base import (
    FINAL_STATUSES,
    AmbiguousOutcome,
    CampaignNumber,
    HostedCampaignSpec,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.callstate import call_apply_update
from telephony.services.outbound import call_outbound_prepare

logger = logging.getLogger(__name__)

PUSH_BATCH = 100  # under every provider's documented bulk limit (IVR Solutions: 100)
STEER = {"running": "campaign_resume", "paused": "campaign_pause", "stopped": "campaign_stop"}


def hosted_spec(campaign: Campaign) -> HostedCampaignSpec:
    template = campaign.tts_template
    gaps = campaign.gap_between_retries
    return HostedCampaignSpec(
        name=campaign.name,
        did_number=campaign.did.number if campaign.did else "",
        template_name=(template.provider_template_id or template.name) if template else "",
        text=template.text if template else "",
        flow_id=campaign.call_flow.provider_flow_id if campaign.call_flow else "",
        bot_id=campaign.voicebot.provider_bot_id if campaign.voicebot else "",
        window_start=f"{campaign.window_start:%H:%M}",
        window_end=f"{campaign.window_end:%H:%M}",
        time_zone=campaign.time_zone,
        concurrency=campaign.no_of_call,
        retries=campaign.number_of_retries,
        retry_gaps_minutes=[int(g) for g in (gaps if isinstance(gaps, list) else [gaps])],
        priority=campaign.priority,
        schedule_at=campaign.schedule_at,
    )


def hosted_steer(*, campaign: Campaign, action: str) -> None:
    """Pause / resume / stop at the provider; refuses (ServiceError) if it says no."""
    method = STEER.get(action)
    if method is None:
        return
    try:
        getattr(provider_for(campaign.account), method)(campaign.hosted_id)
    except ProviderError as exc:
        raise ServiceError(f"The provider refused to {action} the campaign: {exc.message}") from exc


def hosted_tick(*, campaign: Campaign, now: datetime):  # noqa: ANN201 - engine.Health
    from campaigns.engine import Health

    if campaign.schedule_at and campaign.schedule_at > now:
        return Health("scheduled", f"Starts at {campaign.schedule_at:%Y-%m-%d %H:%M} UTC.")
    provider = provider_for(campaign.account)
    try:
        fresh = not campaign.hosted_id
        if fresh:
            campaign.hosted_id = provider.campaign_create(hosted_spec(campaign))
            Campaign.objects.filter(pk=campaign.pk).update(hosted_id=campaign.hosted_id)
        pushed = _push(campaign, provider, now)
        if fresh:
            provider.campaign_start(campaign.hosted_id)
        finished = _sync(campaign, provider)
    except ProviderError as exc:
        logger.warning("hosted campaign %s: %s", campaign.pk, exc.message)
        return Health("provider_error", f"The provider answered: {exc.message}")
    total = campaign.entries.exclude(state=CampaignEntry.State.SKIPPED).count()
    detail = f"Hosted by {provider.label}: pushed {pushed} now, {finished} results synced."
    if not pushed and not finished:
        detail = f"Hosted by {provider.label}: {total} contacts with the provider."
    return Health("hosted", detail)


def _push(campaign: Campaign, provider, now: datetime) -> int:  # noqa: ANN001
    from campaigns.checks import DialChecks
    from campaigns.engine import _defer, _skip
    from campaigns.services.lifecycle import OPEN_STATES

    batch = list(
        campaign.entries.filter(state__in=OPEN_STATES, next_attempt_at__lte=now)
        .select_related("contact")
        .order_by("-priority", "id")[:PUSH_BATCH]
    )
    if not batch:
        return 0
    checks, zones, claimed = DialChecks(campaign, batch, now), {}, []
    for entry in batch:
        verdict = checks.verdict(entry, zones)
        if verdict[0] == "skip":
            _skip(entry, verdict[1])
        elif verdict[0] == "defer":
            _defer(entry, verdict[1])
        else:
            attempt = _claim(campaign, entry, now)
            if attempt is not None:
                claimed.append((entry, attempt))
    if not claimed:
        return 0
    numbers = [
        CampaignNumber(
            number=entry.phone,
            reference=str(entry.pk),
            name=entry.contact.name,
            variables={"name": entry.contact.name, **(entry.contact.variables or {})},
        )
        for entry, _ in claimed
    ]
    try:
        result = provider.campaign_add_numbers(campaign.hosted_id, numbers)
    except AmbiguousOutcome:
        return len(claimed)  # the leases expire into reconciliation, never a second push
    except ProviderError:
        _release(claimed, now)
        raise
    _record_push(campaign, claimed, result, now)
    return result.accepted


def _claim(campaign: Campaign, entry: CampaignEntry, now: datetime) -> CampaignAttempt | None:
    with transaction.atomic():
        claimed = CampaignEntry.objects.filter(
            pk=entry.pk,
            state__in=(CampaignEntry.State.PENDING, CampaignEntry.State.WAITING),
            attempts=entry.attempts,
            campaign__status=Campaign.Status.RUNNING,
        ).update(
            state=CampaignEntry.State.DIALING,
            attempts=F("attempts") + 1,
            leased_until=now + timedelta(seconds=settings.CAMPAIGN_DIAL_LEASE_SECONDS),
        )
        if claimed != 1:
            return None
        call = call_outbound_prepare(
            account=campaign.account,
            kind=campaign.content,
            to_number=entry.phone,
            did=campaign.did,
            contact=entry.contact,
            detail=f"Pushed to hosted campaign {campaign.name}",
        )
        return CampaignAttempt.objects.create(
            entry=entry, number=entry.attempts + 1, call=call, phone=entry.phone, placed_at=now
        )


def _release(claimed: list, now: datetime) -> None:
    """The provider refused the whole push: nothing was dialed, so the entries go back."""
    with transaction.atomic():
        for entry, attempt in claimed:
            CampaignEntry.objects.filter(pk=entry.pk, state=CampaignEntry.State.DIALING).update(
                state=CampaignEntry.State.PENDING,
                attempts=F("attempts") - 1,
                leased_until=None,
                next_attempt_at=now + timedelta(minutes=1),
            )
            call = attempt.call
            attempt.delete()
            Call.objects.filter(pk=call.pk).update(status="failed", error="Push refused")


def _record_push(campaign: Campaign, claimed: list, result, now: datetime) -> None:  # noqa: ANN001
    from campaigns.services.outcomes import entry_record_outcome

    rejected = {number for number, _ in result.rejected}
    # The provider has them now; its results settle them (hours, for a long list).
    lease = now + timedelta(days=2)
    for entry, attempt in claimed:
        call_id = result.provider_ids.get(str(entry.pk), "")
        if call_id:
            Call.objects.filter(pk=attempt.call_id).update(provider_call_id=call_id)
        if entry.phone in rejected and not call_id:
            Call.objects.filter(pk=attempt.call_id).update(status="failed", error="Rejected")
            entry_record_outcome(
                attempt_id=attempt.pk,
                outcome="failed",
                now=now,
                permanent=True,
                reason="provider_refused",
            )
        else:
            CampaignEntry.objects.filter(pk=entry.pk, state=CampaignEntry.State.DIALING).update(
                leased_until=lease
            )


def _sync(campaign: Campaign, provider) -> int:  # noqa: ANN001
    """Merge the provider's per-number results into our calls (idempotent)."""
    open_calls = dict(
        Call.objects.filter(campaignattempt__entry__campaign=campaign, provider_call_id__gt="")
        .exclude(status__in=FINAL_STATUSES)
        .values_list("provider_call_id", "pk")
    )
    if not open_calls:
        return 0
    finished = 0
    for update in provider.campaign_results(campaign.hosted_id):
        pk = open_calls.get(update.provider_call_id)
        if pk is None:
            continue
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=pk)
            call_apply_update(call, update, source="sync")
            finished += call.is_final
    return finished
