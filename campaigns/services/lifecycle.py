"""A campaign's life: draft -> running <-> paused -> stopped | completed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from callcenter.services.jobs import enqueue
from campaigns.dialer.steer import hosted_steer
from campaigns.models import OPEN_STATES, Campaign, CampaignEntry
from contacts.models import Contact, ContactList
from telephony.providers.base import Capability
from telephony.providers.registry import provider_class

CONTENT_CAPABILITY = {
    Campaign.Content.TTS: Capability.TTS_CALL,
    Campaign.Content.FLOW: Capability.FLOW_CALL,
    Campaign.Content.VOICEBOT: Capability.VOICEBOT_CALL,
}
BATCH = 2000


@transaction.atomic
def campaign_save(
    *, user: Any, campaign: Campaign, lists: list[ContactList], ip: str | None = None
) -> Campaign:
    """Create a draft or edit a draft/paused campaign."""
    creating = campaign.pk is None
    if not creating:
        status = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).get()
        if status not in (Campaign.Status.DRAFT, Campaign.Status.PAUSED):
            raise ServiceError("Pause the campaign before editing it.")
        campaign.status = status
    if creating:
        campaign.created_by = user if getattr(user, "is_authenticated", False) else None
    campaign.save()
    campaign.lists.set(lists)
    if not creating and campaign.status == Campaign.Status.PAUSED:
        # A changed window or schedule takes effect at once: every untried entry is
        # re-evaluated on the next pass instead of waiting for the old window.
        campaign.entries.filter(state=CampaignEntry.State.PENDING, attempts=0).update(
            next_attempt_at=timezone.now()
        )
    audit_log(
        actor=user,
        action="campaign.create" if creating else "campaign.update",
        obj=campaign,
        ip=ip,
        summary=f"{'Created' if creating else 'Edited'} campaign {campaign.name}",
    )
    return campaign


def campaign_check_ready(campaign: Campaign) -> None:
    """Refuse, with a message a supervisor can act on, what would fail at dial time."""
    if not campaign.account.enabled:
        raise ServiceError(f"The provider account “{campaign.account}” is disabled.")
    hosted = campaign.execution == Campaign.Execution.HOSTED
    if campaign.did is None and not hosted:
        raise ServiceError("Choose the DID (caller ID) the campaign calls from.")
    if campaign.did is not None and campaign.did.account_id != campaign.account_id:
        raise ServiceError("The DID belongs to another provider account.")
    needed = {
        Campaign.Content.TTS: (campaign.tts_template, "a TTS template"),
        Campaign.Content.FLOW: (campaign.call_flow, "an IVR flow"),
        Campaign.Content.VOICEBOT: (campaign.voicebot, "a voicebot"),
    }[campaign.content]
    if needed[0] is None:
        raise ServiceError(f"Choose {needed[1]} for this campaign's calls.")
    if campaign.tts_template and campaign.tts_template.status == "rejected":
        raise ServiceError(f"The TTS template “{campaign.tts_template}” was rejected.")
    cls = provider_class(campaign.account.kind)
    capability = (
        Capability.HOSTED_CAMPAIGN
        if campaign.execution == Campaign.Execution.HOSTED
        else CONTENT_CAPABILITY[campaign.content]
    )
    if not cls.supports(capability):
        raise ServiceError(cls.missing_reason(capability))
    if not campaign.lists.exists():
        raise ServiceError("Add at least one contact list.")


@transaction.atomic
def campaign_start(
    *, user: Any, campaign: Campaign, ip: str | None = None, now: datetime | None = None
) -> Campaign:
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise ServiceError(f"Only a draft can be started; this campaign is {campaign.status}.")
    campaign_check_ready(campaign)
    added, duplicates = campaign_populate(campaign=campaign, now=now)
    if added == 0:
        raise ServiceError("The campaign's lists have no contacts to call.")
    campaign.status = Campaign.Status.RUNNING
    campaign.started_at = now
    campaign.health_code, campaign.health_detail = "starting", "Waiting for the dialer."
    campaign.save(update_fields=["status", "started_at", "health_code", "health_detail"])
    audit_log(
        actor=user,
        action="campaign.start",
        obj=campaign,
        ip=ip,
        summary=f"Started campaign {campaign.name}: {added} contacts, {duplicates} duplicates",
        data={"entries": added, "duplicates": duplicates},
    )
    enqueue("campaigns.tasks.engine_run")
    return campaign


def campaign_populate(*, campaign: Campaign, now: datetime) -> tuple[int, int]:
    """One entry per contact of the lists; a number seen before becomes a skipped duplicate.

    Entries are fixed at start: contacts imported into a list later are not added.
    """
    due = max(now, campaign.schedule_at) if campaign.schedule_at else now
    contacts = (
        Contact.objects.filter(lists__in=campaign.lists.all())
        .order_by("id")
        .values_list("id", "phone", "variables")
        .distinct()
    )
    seen: set[str] = set()
    added = duplicates = 0
    batch: list[CampaignEntry] = []
    for contact_id, phone, variables in contacts.iterator(chunk_size=BATCH):
        duplicate = phone in seen
        seen.add(phone)
        batch.append(
            CampaignEntry(
                campaign=campaign,
                contact_id=contact_id,
                phone=phone,
                priority=_entry_priority(variables),
                next_attempt_at=due,
                state=CampaignEntry.State.SKIPPED if duplicate else CampaignEntry.State.PENDING,
                skip_reason="duplicate" if duplicate else "",
            )
        )
        duplicates += duplicate
        added += not duplicate
        if len(batch) >= BATCH:
            CampaignEntry.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    CampaignEntry.objects.bulk_create(batch, ignore_conflicts=True)
    return added, duplicates


def _entry_priority(variables: dict | None) -> int:
    """A `priority` column in the imported list orders contacts within the campaign."""
    try:
        value = int((variables or {}).get("priority", 0))
    except (TypeError, ValueError):
        return 0
    return max(-100, min(100, value))


def _transition(
    *, user: Any, campaign: Campaign, to: str, allowed: tuple[str, ...], verb: str, ip: str | None
) -> Campaign:
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status not in allowed:
            raise ServiceError(f"A {locked.status} campaign cannot be {verb}.")
        if locked.execution == Campaign.Execution.HOSTED and locked.hosted_id:
            hosted_steer(campaign=locked, action=to)
        locked.status = to
        fields = ["status"]
        if to == Campaign.Status.STOPPED:
            locked.completed_at = timezone.now()
            fields.append("completed_at")
            locked.entries.filter(state__in=OPEN_STATES).update(
                state=CampaignEntry.State.SKIPPED, skip_reason="stopped"
            )
        locked.save(update_fields=fields)
        audit_log(
            actor=user,
            action=f"campaign.{verb}",
            obj=locked,
            ip=ip,
            summary=f"Campaign {locked.name} {verb}",
        )
    if to == Campaign.Status.RUNNING:
        enqueue("campaigns.tasks.engine_run")
    return locked


def campaign_pause(*, user: Any, campaign: Campaign, ip: str | None = None) -> Campaign:
    """No new call is placed once this commits (the engine's claim requires `running`);
    calls already ringing finish and their outcomes are recorded."""
    return _transition(
        user=user,
        campaign=campaign,
        to=Campaign.Status.PAUSED,
        allowed=(Campaign.Status.RUNNING,),
        verb="paused",
        ip=ip,
    )


def campaign_resume(*, user: Any, campaign: Campaign, ip: str | None = None) -> Campaign:
    return _transition(
        user=user,
        campaign=campaign,
        to=Campaign.Status.RUNNING,
        allowed=(Campaign.Status.PAUSED,),
        verb="resumed",
        ip=ip,
    )


def campaign_stop(*, user: Any, campaign: Campaign, ip: str | None = None) -> Campaign:
    """Ends the campaign: entries not yet called are skipped; live calls finish."""
    return _transition(
        user=user,
        campaign=campaign,
        to=Campaign.Status.STOPPED,
        allowed=(Campaign.Status.RUNNING, Campaign.Status.PAUSED),
        verb="stopped",
        ip=ip,
    )


def campaign_complete_if_done(*, campaign_id: int, now: datetime) -> bool:
    """Running -> completed once every entry is final. Safe to call from anywhere."""
    if CampaignEntry.objects.filter(
        campaign_id=campaign_id, state__in=(*OPEN_STATES, CampaignEntry.State.DIALING)
    ).exists():
        return False
    with transaction.atomic():
        done = Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.RUNNING).update(
            status=Campaign.Status.COMPLETED,
            completed_at=now,
            health_code="completed",
            health_detail="Every contact has a final outcome.",
            health_at=now,
        )
        if done:
            campaign = Campaign.objects.get(pk=campaign_id)
            audit_log(
                actor=None,
                action="campaign.completed",
                obj=campaign,
                summary=f"Campaign {campaign.name} completed",
            )
    return bool(done)
