"""Campaign copies of an erased contact's number, blanked inside the erasure."""

from __future__ import annotations

from typing import Any

from campaigns.models import CampaignAttempt, CampaignDNCEntry, CampaignEntry


def on_contact_erased(*, contact: Any, phone: str, **kwargs: Any) -> None:
    """The entry is left to the engine, which skips it: the erased contact is opted out
    and its number (now a hash) is on the DNC list."""
    CampaignEntry.objects.filter(contact=contact).update(phone="")
    CampaignAttempt.objects.filter(entry__contact=contact).update(phone="")
    if phone:
        # The global hash keeps the number un-callable in every campaign.
        CampaignDNCEntry.objects.filter(phone=phone).delete()
