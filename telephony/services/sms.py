"""SMS to a contact through a provider that sends them (Robotalker today; the sandbox)."""

from __future__ import annotations

from typing import Any

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from contacts.models import Contact
from contacts.services.dnc import is_dnc
from telephony.models import ProviderAccount
from telephony.providers.base import Capability, ProviderError
from telephony.services.accounts import provider_for

MAX_LENGTH = 1000


def sms_send(
    *, user: Any, account: ProviderAccount, contact: Contact, text: str, ip: str | None = None
) -> str:
    """Send one SMS; returns the provider's message id. Opted-out and DNC numbers refused."""
    text = text.strip()
    if not text:
        raise ServiceError("Write the message first.", field="text")
    if len(text) > MAX_LENGTH:
        raise ServiceError(f"Keep the message under {MAX_LENGTH} characters.", field="text")
    if contact.opted_out or is_dnc(contact.phone):  # erased numbers too, as hashes
        raise ServiceError("This contact has opted out; no message is sent.")
    if not account.enabled:
        raise ServiceError(f"The provider account “{account}” is disabled.")
    provider = provider_for(account)
    if not provider.supports(Capability.SMS):
        raise ServiceError(provider.missing_reason(Capability.SMS), field="account")
    sender = account.dids.filter(status="active").values_list("number", flat=True).first() or ""
    try:
        message_id = provider.sms_send(to_number=contact.phone, text=text, sender=sender)
    except ProviderError as exc:
        raise ServiceError(f"The provider refused the message: {exc.message}") from exc
    audit_log(
        actor=user,
        action="sms.send",
        obj=contact,
        ip=ip,
        summary=f"SMS to {contact.phone} via {account.name}",
        data={"provider_message_id": message_id, "length": len(text)},
    )
    return message_id
