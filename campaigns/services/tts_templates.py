"""TTS templates: render from a contact, flag unknown {variables}, sync with the provider."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from campaigns.models.campaigns import VARIABLE_RE, TTSTemplate
from contacts.models import Contact
from telephony.providers.base import Capability, ProviderError
from telephony.services.accounts import provider_for

CONTACT_FIELDS = ("name", "first_name", "phone", "email")
# Variables are JSON keys per contact; a bounded sample of recent contacts tells us which
# keys exist without reading a 200k-row table on every keystroke.
SAMPLE_SIZE = 500
PROVIDER_STATUS = {
    "draft": TTSTemplate.Status.DRAFT,
    "pending": TTSTemplate.Status.PENDING,
    "approved": TTSTemplate.Status.APPROVED,
    "rejected": TTSTemplate.Status.REJECTED,
}


def contact_values(contact: Contact | None) -> dict[str, str]:
    if contact is None:
        return {}
    values = {
        "name": contact.name,
        "first_name": contact.name.split(" ")[0] if contact.name else "",
        "phone": contact.phone,
        "email": contact.email,
    }
    values.update({str(k): str(v) for k, v in (contact.variables or {}).items()})
    return values


def known_variables() -> set[str]:
    known = set(CONTACT_FIELDS)
    sample = Contact.objects.order_by("-id").values_list("variables", flat=True)[:SAMPLE_SIZE]
    for variables in sample:
        known.update(str(k) for k in (variables or {}))
    return known


def template_check(text: str, *, known: set[str] | None = None) -> list[str]:
    """The {variables} no contact field or variable provides, in order of appearance."""
    known = known_variables() if known is None else known
    return [v for v in dict.fromkeys(VARIABLE_RE.findall(text)) if v not in known]


def template_render(text: str, contact: Contact | None) -> str:
    """What the contact would hear; a variable the contact lacks stays visible as {name}."""
    values = contact_values(contact)
    return VARIABLE_RE.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def tts_template_save(*, actor: Any, template: TTSTemplate, ip: str | None = None) -> TTSTemplate:
    """Save after checking the variables; a changed text goes back to the provider."""
    unknown = template_check(template.text)
    if unknown:
        names = ", ".join("{" + v + "}" for v in unknown)
        raise ServiceError(f"Unknown variables: {names}. No contact has them.", field="text")
    creating = template.pk is None
    previous = None if creating else TTSTemplate.objects.filter(pk=template.pk).first()
    text_changed = previous is None or previous.text != template.text
    if text_changed:
        template.status = TTSTemplate.Status.DRAFT
        template.provider_template_id = ""
    with transaction.atomic():
        template.save()
        audit_log(
            actor=actor,
            action="tts_template.create" if creating else "tts_template.update",
            obj=template,
            ip=ip,
            summary=f"{'Created' if creating else 'Updated'} TTS template {template.name}",
        )
    if template.account_id and text_changed:
        tts_template_submit(actor=actor, template=template, ip=ip)
    return template


def tts_template_submit(*, actor: Any, template: TTSTemplate, ip: str | None = None) -> TTSTemplate:
    """Send the template to its account's provider for approval (where it keeps templates)."""
    if template.account is None:
        raise ServiceError("Choose a provider account to submit the template to.")
    provider = provider_for(template.account)
    if not provider.supports(Capability.TTS_TEMPLATES):
        # Providers without template approval speak the text as it is: nothing to submit.
        return template
    try:
        info = provider.tts_template_create(
            name=template.name, text=template.text, language=template.language
        )
    except ProviderError as exc:
        raise ServiceError(f"{template.account} refused the template: {exc.message}") from exc
    return _store_status(actor, template, info.provider_id, info.status, ip)


def tts_template_refresh(
    *, actor: Any, template: TTSTemplate, ip: str | None = None
) -> TTSTemplate:
    if not template.provider_template_id or template.account is None:
        raise ServiceError("This template has not been submitted to a provider yet.")
    provider = provider_for(template.account)
    if not provider.supports(Capability.TTS_TEMPLATES):
        raise ServiceError(provider.missing_reason(Capability.TTS_TEMPLATES))
    try:
        info = provider.tts_template_status(template.provider_template_id)
    except ProviderError as exc:
        raise ServiceError(f"{template.account} did not answer: {exc.message}") from exc
    return _store_status(actor, template, info.provider_id, info.status, ip)


def _store_status(
    actor: Any, template: TTSTemplate, provider_id: str, status: str, ip: str | None
) -> TTSTemplate:
    template.provider_template_id = provider_id[:64]
    template.status = PROVIDER_STATUS.get(status, TTSTemplate.Status.PENDING)
    template.updated_at = timezone.now()
    template.save(update_fields=["provider_template_id", "status", "updated_at"])
    audit_log(
        actor=actor,
        action="tts_template.status",
        obj=template,
        ip=ip,
        summary=f"TTS template {template.name} is {template.get_status_display().lower()}",
    )
    return template
