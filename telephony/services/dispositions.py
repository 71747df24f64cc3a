"""Dispositions: configured here, and synced from providers that keep their own list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
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


# Words providers use for the same outcome, folded to one key before matching.
SYNONYMS = {
    "donotcall": "dnd",
    "donotdisturb": "dnd",
    "dnc": "dnd",
    "callbacklater": "callback",
    "callmeback": "callback",
    "callback": "callback",
}
DNC_KEYS = {"dnd"}
CALLBACK_KEYS = {"callback"}


def disposition_key(text: str) -> str:
    """ "Call Back Later", "call-back-later" and "CALLBACK" all become "callback"."""
    folded = re.sub(r"[^0-9a-z]", "", text.lower())
    return SYNONYMS.get(folded, folded)


def _keys(code: str, label: str) -> set[str]:
    # A bare number ("1" at IVR Solutions) is a row id, not a word: it matches nothing.
    return {k for k in (disposition_key(code), disposition_key(label)) if k and not k.isdigit()}


@dataclass(frozen=True)
class DispositionSync:
    added: int
    matched: int
    merged: int  # look-alikes of ours folded into one (deactivated)


def dispositions_sync(
    *, actor: Any, account: ProviderAccount, ip: str | None = None
) -> DispositionSync:
    """Map the provider's dispositions onto ours, adding only those we lack.

    A provider's entry matches one of ours by code or label, normalised ("DND" is our
    "Do not call", "Call Back Later" our "Call back later"); the match remembers the
    provider's code for pushing. One we lack is added with the flags its name implies
    (a DND adds to DNC, a call back schedules a callback). Look-alikes earlier syncs
    added are deactivated in favour of the first of them.
    """
    provider = provider_for(account)
    if not provider.supports(Capability.DISPOSITION_PUSH):
        raise ServiceError(provider.missing_reason(Capability.DISPOSITION_PUSH))
    try:
        remote = provider.list_dispositions()
    except ProviderError as exc:
        raise ServiceError(f"{account} did not send its dispositions: {exc.message}") from exc
    added = matched = 0
    with transaction.atomic():
        merged = _fold_look_alikes()
        # Inactive ones match too: a disposition an admin retired is not added back.
        ours = list(Disposition.objects.select_for_update().order_by("-active", "sort_order", "pk"))
        for item in remote:
            disposition = _match(ours, account, item.code, item.label)
            if disposition is None:
                disposition = _new_from(item.code, item.label)
                ours.append(disposition)
                added += 1
            else:
                matched += 1
            if disposition.provider_codes.get(str(account.pk)) != item.code:
                disposition.provider_codes[str(account.pk)] = item.code
                disposition.save(update_fields=["provider_codes"])
        audit_log(
            actor=actor,
            action="disposition.sync",
            obj=account,
            ip=ip,
            summary=f"Synced dispositions from {account}: {added} added, {matched} matched"
            + (f", {merged} look-alikes merged" if merged else ""),
        )
    return DispositionSync(added=added, matched=matched, merged=merged)


def _match(
    ours: list[Disposition], account: ProviderAccount, code: str, label: str
) -> Disposition | None:
    for disposition in ours:  # the code this account sent last time wins
        if disposition.provider_codes.get(str(account.pk)) == code:
            return disposition
    wanted = _keys(code, label)
    return next((d for d in ours if _keys(d.code, d.label) & wanted), None)


def _new_from(code: str, label: str) -> Disposition:
    keys = _keys(code, label)
    slug = slugify(label)[:40] or slugify(code)[:40] or "disposition"
    base, n = slug, 2
    while Disposition.objects.filter(code=slug).exists():
        slug = f"{base[:36]}-{n}"
        n += 1
    return Disposition.objects.create(
        code=slug,
        label=label[:80] or code[:80],
        adds_to_dnc=bool(keys & DNC_KEYS),
        schedules_callback=bool(keys & CALLBACK_KEYS),
    )


def _fold_look_alikes() -> int:
    """Deactivate active dispositions that match an earlier one; the kept one takes over
    their provider codes. Calls keep the disposition they were given."""
    kept: list[Disposition] = []
    folded = 0
    for disposition in (
        Disposition.objects.select_for_update().filter(active=True).order_by("sort_order", "pk")
    ):
        keys = _keys(disposition.code, disposition.label)
        twin = next((k for k in kept if _keys(k.code, k.label) & keys), None)
        if twin is None:
            kept.append(disposition)
            continue
        twin.provider_codes = {**disposition.provider_codes, **twin.provider_codes}
        twin.save(update_fields=["provider_codes"])
        disposition.active = False
        disposition.save(update_fields=["active"])
        folded += 1
    return folded
