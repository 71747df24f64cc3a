"""Provider events that concern no single call: an opt-out, a low-credit alert.

Apart from the inbox so the drainer, which applies them, imports them at its top (the
inbox imports the drainer).
"""

from __future__ import annotations

from django.utils import timezone

from common.phones import InvalidPhoneNumber, normalize_phone
from contacts.models import Contact, DNCEntry
from contacts.services.contacts import dnc_add
from telephony.models import ProviderAccount
from telephony.providers.base import CallUpdate


def apply_account_event(account: ProviderAccount, update: CallUpdate) -> str:
    """Events that concern no single call. Returns a note kept on the event."""
    if update.event_type == "contact.optout" and update.to_number:
        return _opt_out(account, update.to_number)
    if update.event_type == "credits.low":
        data = update.raw.get("data") or update.raw
        balance, threshold = data.get("balance"), data.get("threshold")
        if balance is not None:
            ProviderAccount.objects.filter(pk=account.pk).update(
                credits_balance=balance, credits_checked_at=timezone.now()
            )
        if threshold is not None:
            # Without a threshold of our own, the provider's decides when the alert shows.
            ProviderAccount.objects.filter(pk=account.pk, low_credit_threshold__isnull=True).update(
                low_credit_threshold=threshold
            )
        return f"provider reports low credits: {balance}"
    return f"{update.event_type or 'event'} recorded; nothing to apply to a call"


def _opt_out(account: ProviderAccount, number: str) -> str:
    """A provider opt-out puts the number on our DNC list and marks its contacts opted out."""
    try:
        phone = normalize_phone(number, region=account.default_region)
    except InvalidPhoneNumber:
        return f"opt-out for an invalid number {number!r} ignored"
    dnc_add(
        user=None,
        numbers=[phone],
        source=DNCEntry.Source.PROVIDER_OPTOUT,
        reason=f"opt-out via {account.name}",
    )
    Contact.objects.filter(phone=phone, opted_out=False).update(
        opted_out=True, opted_out_at=timezone.now()
    )
    return f"{phone} opted out: added to DNC"
