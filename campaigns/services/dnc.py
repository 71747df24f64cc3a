"""Per-campaign do-not-call lists (the global list lives in contacts)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from campaigns.models import Campaign, CampaignDNCEntry
from common.phones import InvalidPhoneNumber, normalize_phone


@transaction.atomic
def campaign_dnc_add(
    *,
    user: Any,
    campaign: Campaign,
    numbers: list[str],
    reason: str = "",
    region: str = "IN",
    ip: str | None = None,
) -> tuple[int, list[str]]:
    """Add numbers (any format). Returns (added, the inputs that are not phone numbers)."""
    valid, invalid = [], []
    for raw in numbers:
        if not raw.strip():
            continue
        try:
            valid.append(normalize_phone(raw, region=region))
        except InvalidPhoneNumber:
            invalid.append(raw.strip())
    if not valid and invalid:
        raise ServiceError(f"None of these is a phone number: {', '.join(invalid[:5])}")
    existing = set(
        CampaignDNCEntry.objects.filter(campaign=campaign, phone__in=valid).values_list(
            "phone", flat=True
        )
    )
    new = [p for p in dict.fromkeys(valid) if p not in existing]
    user_or_none = user if getattr(user, "is_authenticated", False) else None
    CampaignDNCEntry.objects.bulk_create(
        [
            CampaignDNCEntry(
                campaign=campaign, phone=p, reason=reason[:200], created_by=user_or_none
            )
            for p in new
        ],
        ignore_conflicts=True,
    )
    audit_log(
        actor=user,
        action="campaign.dnc_add",
        obj=campaign,
        ip=ip,
        summary=f"Added {len(new)} numbers to the DNC list of {campaign.name}",
        data={"numbers": new[:50]},
    )
    return len(new), invalid


@transaction.atomic
def campaign_dnc_remove(*, user: Any, entry: CampaignDNCEntry, ip: str | None = None) -> None:
    campaign, phone = entry.campaign, entry.phone
    entry.delete()
    audit_log(
        actor=user,
        action="campaign.dnc_remove",
        obj=campaign,
        ip=ip,
        summary=f"Removed {phone} from the DNC list of {campaign.name}",
    )
