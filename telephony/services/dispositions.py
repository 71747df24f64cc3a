"""Dispositions: configured here, and synced from providers that keep their own list."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from callcenter.audit import audit_log
from callcenter.errors import ServiceError
from telephony.models import Disposition, ProviderAccount
from telephony.providers.base import Capability, ProviderError
from telephony.services.accounts import provider_for


def disposition_save(*, actor: Any, disposition: Disposition, ip: str | None = None) -> Disposition:
    creating = disposition.pk is None
    if disposition.adds_to_dnc and disposition.schedules_callback:
        raise ServiceError("A disposition cannot both add to DNC and schedule a callback.")
    disposition.save()
    audit_log(
        actor=actor,
        action="disposition.create" if creating else "disposition.update",
        obj=disposition,
        ip=ip,
        summary=f"{'Added' if creating else 'Changed'} disposition “{disposition.label}”"
        + ("" if disposition.active else " (inactive)"),
    )
    return disposition


def dispositions_sync(
    *, actor: Any, account: ProviderAccount, ip: str | None = None
) -> tuple[int, int]:
    """Add the provider's dispositions we lack; returns (added, already known)."""
    provider = provider_for(account)
    if not provider.supports(Capability.DISPOSITION_PUSH):
        raise ServiceError(provider.missing_reason(Capability.DISPOSITION_PUSH))
    try:
        remote = provider.list_dispositions()
    except ProviderError as exc:
        raise ServiceError(f"{account} did not send its dispositions: {exc.message}") from exc
    added = 0
    with transaction.atomic():
        for item in remote:
            code = slugify(item.code)[:40] or slugify(item.label)[:40]
            _, created = Disposition.objects.get_or_create(
                code=code, defaults={"label": item.label[:80]}
            )
            added += created
        audit_log(
            actor=actor,
            action="disposition.sync",
            obj=account,
            ip=ip,
            summary=f"Synced dispositions from {account}: {added} added, "
            f"{len(remote) - added} already known",
        )
    return added, len(remote) - added
