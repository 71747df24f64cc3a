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
from dataclasses import replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from campaigns.dialer.checks import DialChecks
from campaigns.dialer.claims import (
    attempt_give_back,
    due_entries,
    entries_hold,
    entry_claim,
    entry_set_aside,
)
from campaigns.dialer.health import Health, scheduled_health
from campaigns.models import Campaign, CampaignAttempt, CampaignEntry
from campaigns.services.outcomes import entry_record_outcome
from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.models import Call
from telephony.providers.base import (
    FINAL_STATUSES,
    AddNumbersResult,
    AmbiguousOutcome,
    CampaignNumber,
    CapabilityMissing,
    HostedCampaignSpec,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.callstate import call_apply_update
from telephony.services.inbox import inbox_match_unmatched

logger = logging.getLogger(__name__)

PUSH_BATCH = 100  # under every provider's documented bulk limit (IVR Solutions: 100)
CREATE_LIMIT = 5000  # one create request for providers that take the list at creation
HELD = timedelta(days=2)  # pushed entries wait this long for the provider's results
RETRY_REFUSED = timedelta(minutes=1)  # a refused push is tried again after this


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
        carry_over=campaign.carry_over,
    )


def hosted_tick(*, campaign: Campaign, now: datetime) -> Health:
    scheduled = scheduled_health(campaign, now)
    if scheduled:
        return scheduled
    provider = provider_for(campaign.account)
    if campaign.hosted_doubt == "start":
        _settle_start(campaign, provider)
    if campaign.hosted_doubt:
        return Health("unknown", campaign.hosted_doubt_detail)
    try:
        pushed = _send(campaign, provider, now)
        _start_once(campaign, provider)
        finished = _sync(campaign, provider)
    except AmbiguousOutcome as exc:
        step = "start" if campaign.hosted_id else "create"
        _doubt(campaign, step, exc.message)
        return Health("unknown", campaign.hosted_doubt_detail)
    except ProviderError as exc:
        logger.warning("hosted campaign %s: %s", campaign.pk, exc.message)
        return Health("provider_error", f"The provider answered: {exc.message}")
    if not pushed and not finished:
        total = campaign.entries.exclude(state=CampaignEntry.State.SKIPPED).count()
        return Health("hosted", f"Hosted by {provider.label}: {total} contacts with the provider.")
    detail = f"Hosted by {provider.label}: pushed {pushed} now, {finished} results synced."
    return Health("hosted", detail)


def _send(campaign: Campaign, provider, now: datetime) -> int:
    """Create the campaign at the provider the first time, and push the entries due now
    (in the create request itself, for providers that take the list there)."""
    if not campaign.hosted_id and provider.campaign_numbers_at_create:
        return _create_with_numbers(campaign, provider, now)
    if not campaign.hosted_id:
        campaign.hosted_id = provider.campaign_create(hosted_spec(campaign))
        Campaign.objects.filter(pk=campaign.pk).update(hosted_id=campaign.hosted_id)
    return _push(campaign, provider, now)


def _start_once(campaign: Campaign, provider) -> None:
    if not campaign.hosted_id or campaign.hosted_started:
        return
    try:
        provider.campaign_start(campaign.hosted_id)
    except CapabilityMissing as exc:
        # No start step (CallKaro, Callmatic): their numbers dial as pushed.
        logger.info("hosted campaign %s: %s", campaign.pk, exc.message)
    campaign.hosted_started = True
    Campaign.objects.filter(pk=campaign.pk).update(hosted_started=True)


def _doubt(campaign: Campaign, step: str, message: str) -> None:
    """Record that a create or start may or may not have taken effect: nothing is sent
    again until the provider (start) or an admin (create) settles it."""
    # The adapter's message ends with what an unknown outcome means in general; the
    # campaign page says what happens to this campaign instead.
    problem = message.split(". It may have acted")[0].rstrip(".")
    if step == "create":
        detail = (
            f"Creating the campaign at the provider had an unknown outcome ({problem}). "
            "Nothing is sent again until it is settled below."
        )
    else:
        detail = (
            f"Starting the campaign at the provider had an unknown outcome ({problem}). "
            "The next pass asks the provider for its status before sending anything again."
        )
    if len(detail) > 300:
        detail = detail[:299] + "…"
    campaign.hosted_doubt, campaign.hosted_doubt_detail = step, detail
    Campaign.objects.filter(pk=campaign.pk).update(hosted_doubt=step, hosted_doubt_detail=detail)
    logger.warning("hosted campaign %s: %s in doubt: %s", campaign.pk, step, message)


def _settle_start(campaign: Campaign, provider) -> None:
    """A start in doubt is settled by the provider's own word on the campaign (a read):
    running or further = it took effect; draft/paused/scheduled = it did not, and the
    start may be sent again. No answer keeps the doubt."""
    try:
        status = provider.campaign_status(campaign.hosted_id).status
    except ProviderError as exc:
        logger.info("hosted campaign %s: start still in doubt (%s)", campaign.pk, exc.message)
        return
    started = status in ("running", "completed", "stopped")
    if status not in ("running", "completed", "stopped", "draft", "paused", "scheduled"):
        return  # a word we cannot read settles nothing
    campaign.hosted_doubt, campaign.hosted_doubt_detail = "", ""
    campaign.hosted_started = started
    Campaign.objects.filter(pk=campaign.pk).update(
        hosted_doubt="", hosted_doubt_detail="", hosted_started=started
    )


def hosted_settle_create(
    *, campaign: Campaign, actor: object, provider_id: str, ip: str | None = None
) -> Campaign:
    """An admin settles a create in doubt: `provider_id` is the campaign's id at the
    provider (it exists; results will sync into the pushed entries), or "" (it does not
    exist: entries pushed with it go back to pending and the next pass creates it)."""
    if campaign.hosted_doubt != "create":
        raise ServiceError("Nothing is in doubt for this campaign.")
    provider_id = provider_id.strip()
    with transaction.atomic():
        if provider_id:
            Campaign.objects.filter(pk=campaign.pk).update(hosted_id=provider_id[:64])
        else:
            _release_doubtful(campaign)
        Campaign.objects.filter(pk=campaign.pk).update(hosted_doubt="", hosted_doubt_detail="")
        audit_log(
            actor=actor,
            action="campaign.hosted_settle",
            obj=campaign,
            ip=ip,
            summary=f"Settled the unknown create of {campaign.name}: "
            + (f"exists at the provider as {provider_id}" if provider_id else "not created"),
        )
    campaign.refresh_from_db()
    return campaign


def _release_doubtful(campaign: Campaign) -> None:
    """Entries pushed with a create that did not happen: nothing was dialed."""
    attempts = CampaignAttempt.objects.filter(
        entry__campaign=campaign,
        entry__state=CampaignEntry.State.DIALING,
        call__status="unknown",
        call__provider_call_id="",
    ).select_related("entry", "call")
    now = timezone.now()
    _release([(a.entry, a) for a in attempts], now)


def _claim_due(campaign: Campaign, now: datetime, limit: int) -> list[tuple]:
    """Entries due now that pass the dial-time checks, each claimed with its attempt."""
    batch = due_entries(campaign, now, limit)
    checks, zones, claimed = DialChecks(campaign, batch, now), {}, []
    detail = f"Pushed to hosted campaign {campaign.name}"
    for entry in batch:
        verdict = checks.verdict(entry, zones)
        if verdict[0] != "dial":
            entry_set_aside(entry, verdict)
            continue
        attempt = entry_claim(campaign, entry, now, detail=detail)
        if attempt is not None:
            claimed.append((entry, attempt))
    return claimed


def _numbers(claimed: list[tuple], spec: HostedCampaignSpec) -> list[CampaignNumber]:
    return [
        CampaignNumber(
            number=entry.phone,
            reference=str(entry.pk),
            name=entry.contact.name,
            variables={"name": entry.contact.name, **(entry.contact.variables or {})},
            campaign=spec,
        )
        for entry, _ in claimed
    ]


def _push(campaign: Campaign, provider, now: datetime) -> int:
    claimed = _claim_due(campaign, now, PUSH_BATCH)
    if not claimed:
        return 0
    try:
        result = provider.campaign_add_numbers(
            campaign.hosted_id, _numbers(claimed, hosted_spec(campaign))
        )
    except AmbiguousOutcome as exc:
        # The provider may have them: never a second push. Results sync settles them
        # (by our reference or the number); the long lease keeps the engine off them.
        _record_unknown(claimed, exc.message, now)
        return len(claimed)
    except ProviderError:
        _release(claimed, now)
        raise
    _record_push(campaign, claimed, result, now)
    return result.accepted


def _create_with_numbers(campaign: Campaign, provider, now: datetime) -> int:
    """Providers whose campaigns take their list at creation (OutboundCalls.ai, Robotalker):
    every entry due now goes in the one create request; entries deferred to a later window
    cannot join afterwards and are skipped when the campaign completes."""
    claimed = _claim_due(campaign, now, CREATE_LIMIT)
    if not claimed:
        return 0
    spec = hosted_spec(campaign)
    spec = replace(spec, numbers=_numbers(claimed, spec))
    try:
        campaign.hosted_id = provider.campaign_create(spec)
    except AmbiguousOutcome as exc:
        _record_unknown(claimed, exc.message, now)
        raise  # hosted_tick records the create as in doubt
    except ProviderError:
        _release(claimed, now)
        raise
    Campaign.objects.filter(pk=campaign.pk).update(hosted_id=campaign.hosted_id)
    _record_push(campaign, claimed, AddNumbersResult(accepted=len(claimed)), now)
    return len(claimed)


def _release(claimed: list, now: datetime) -> None:
    """The provider refused the whole push: nothing was dialed, so the entries go back."""
    with transaction.atomic():
        for _, attempt in claimed:
            attempt_give_back(attempt, at=now + RETRY_REFUSED)
            Call.objects.filter(pk=attempt.call_id).update(status="failed", error="Push refused")


def _record_unknown(claimed: list, message: str, now: datetime) -> None:
    """Pushed with an unknown outcome: calls `unknown`, entries held as if accepted."""
    with transaction.atomic():
        for _, attempt in claimed:
            Call.objects.filter(pk=attempt.call_id, provider_call_id="").update(
                status="unknown", error=message[:300]
            )
        entries_hold((entry.pk for entry, _ in claimed), now + HELD)


def _record_push(campaign: Campaign, claimed: list, result, now: datetime) -> None:
    rejected = {number for number, _ in result.rejected}
    # The provider has them now; its results settle them (hours, for a long list).
    held = []
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
            held.append(entry.pk)
    entries_hold(held, now + HELD)


def _sync(campaign: Campaign, provider) -> int:
    """Merge the provider's per-number results into our calls (idempotent).

    A result is matched by the provider's call id, else by our entry id (`reference`,
    where the provider echoes it), else by the number when exactly one open call of the
    campaign has it (IVR Solutions' dialer logs carry only the number).
    """
    rows = list(
        Call.objects.filter(campaignattempt__entry__campaign=campaign)
        .exclude(status__in=FINAL_STATUSES)
        .values_list("pk", "provider_call_id", "to_number", "campaignattempt__entry_id")
    )
    if not rows:
        return 0
    by_id = {pid: pk for pk, pid, _, _ in rows if pid}
    by_entry = {str(entry_id): pk for pk, _, _, entry_id in rows}
    numbers: dict[str, list[int]] = {}
    for pk, _, number, _ in rows:
        numbers.setdefault(number, []).append(pk)
    finished = 0
    for update in provider.campaign_results(campaign.hosted_id):
        pk = by_id.get(update.provider_call_id) or by_entry.get(update.reference)
        if (
            pk is None
            and len(numbers.get(_e164(update.to_number, campaign.account.default_region), [])) == 1
        ):
            pk = numbers[_e164(update.to_number, campaign.account.default_region)][0]
        if pk is None:
            continue
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=pk)
            learned_id = not call.provider_call_id and update.provider_call_id
            if learned_id:
                call.provider_call_id = update.provider_call_id
                call.save(update_fields=["provider_call_id"])
            call_apply_update(call, update, source="sync")
            finished += call.is_final
        if learned_id:
            inbox_match_unmatched(call)  # webhooks that came before we knew the id
    return finished


def _e164(number: str, region: str) -> str:
    try:
        return normalize_phone(number, region=region) if number else ""
    except InvalidPhoneNumber:
        return number
