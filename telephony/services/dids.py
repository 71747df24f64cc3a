"""DIDs: search and buy through the provider, assign to an extension, release."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from telephony.models import DID, Extension, ProviderAccount
from telephony.providers.base import AmbiguousOutcome, Capability, DIDInfo, ProviderError
from telephony.services.accounts import provider_for
from telephony.services.agents import extension_set_did


def _dids_provider(account: ProviderAccount):
    provider = provider_for(account)
    if not provider.supports(Capability.DIDS):
        raise ServiceError(provider.missing_reason(Capability.DIDS))
    return provider


def dids_search(*, account: ProviderAccount, region: str = "", pattern: str = "") -> list[DIDInfo]:
    """Numbers the provider offers, minus those this account already holds."""
    try:
        found = _dids_provider(account).dids_search(region=region.strip(), pattern=pattern.strip())
    except ProviderError as exc:
        raise ServiceError(f"{account} could not search numbers: {exc.message}") from exc
    held = set(
        DID.objects.filter(account=account, number__in=[d.number for d in found]).values_list(
            "number", flat=True
        )
    )
    return [d for d in found if d.number not in held]


def did_quote(*, account: ProviderAccount, number: str, region: str = "") -> DIDInfo:
    """The offer for one number, looked up again so the price shown is the provider's."""
    # Providers match a pattern against their own number format (IVR Solutions: national
    # digits), so the E.164 form finds nothing there: search by the last digits and pick
    # the exact number from what comes back.
    digits = "".join(c for c in number if c.isdigit())
    offers = dids_search(account=account, region=region, pattern=digits[-7:])
    offer = next((d for d in offers if d.number == number), None)
    if offer is None:
        raise ServiceError(f"{number} is no longer available. Search again.")
    return offer


def did_buy(
    *, actor: Any, account: ProviderAccount, number: str, region: str = "", ip: str | None = None
) -> DID:
    offer = did_quote(account=account, number=number, region=region)
    try:
        bought = _dids_provider(account).did_buy(number)
    except AmbiguousOutcome as exc:
        _record_unconfirmed(account=account, offer=offer, actor=actor, ip=ip, message=exc.message)
        raise ServiceError(
            f"{account} did not confirm the purchase of {number}; it may have been bought. "
            "It is listed as unconfirmed and checked against the account's numbers; it "
            "cannot be bought again until that check settles it."
        ) from exc
    except ProviderError as exc:
        raise ServiceError(f"{account} did not sell {number}: {exc.message}") from exc
    cost = _decimal(bought.monthly_cost or offer.monthly_cost)
    with transaction.atomic():
        did, _ = DID.objects.update_or_create(
            account=account,
            number=bought.number or number,
            defaults={
                "region": bought.region or offer.region,
                "kind": bought.kind or offer.kind,
                "monthly_cost": cost,
                "provider_id": bought.provider_id,
                "status": DID.Status.ACTIVE,
            },
        )
        audit_log(
            actor=actor,
            action="did.buy",
            obj=did,
            ip=ip,
            summary=f"Bought {did.number} on {account}"
            + (f" for {cost}/month" if cost is not None else ""),
        )
    return did


def _record_unconfirmed(
    *, account: ProviderAccount, offer: DIDInfo, actor: Any, ip: str | None, message: str
) -> None:
    """A buy whose outcome is unknown: a row marks the number (so it is not offered, or
    bought, again) until `dids_settle_unconfirmed` asks the provider."""
    with transaction.atomic():
        did, _ = DID.objects.get_or_create(
            account=account,
            number=offer.number,
            defaults={
                "region": offer.region,
                "kind": offer.kind or "local",
                "monthly_cost": _decimal(offer.monthly_cost),
                "status": DID.Status.UNKNOWN,
            },
        )
        audit_log(
            actor=actor,
            action="did.buy_unconfirmed",
            obj=did,
            ip=ip,
            summary=f"Buying {did.number} on {account}: outcome unknown ({message[:120]})",
        )


def dids_settle_unconfirmed(*, account: ProviderAccount, actor: Any = None) -> tuple[int, int]:
    """Ask the provider which numbers the account holds: an unconfirmed purchase it lists
    becomes active, one it does not list was not bought and is removed. Returns
    (confirmed, not bought); raises ServiceError when the provider cannot answer."""
    doubtful = list(DID.objects.filter(account=account, status=DID.Status.UNKNOWN))
    if not doubtful:
        return 0, 0
    try:
        owned = {d.number: d for d in _dids_provider(account).dids_owned()}
    except ProviderError as exc:
        raise ServiceError(f"{account} could not list its numbers: {exc.message}") from exc
    confirmed = not_bought = 0
    for did in doubtful:
        with transaction.atomic():
            info = owned.get(did.number)
            if info is not None:
                DID.objects.filter(pk=did.pk, status=DID.Status.UNKNOWN).update(
                    status=DID.Status.ACTIVE, provider_id=info.provider_id or did.provider_id
                )
                confirmed += 1
                summary = f"Purchase of {did.number} confirmed by {account}"
            else:
                DID.objects.filter(pk=did.pk, status=DID.Status.UNKNOWN).delete()
                not_bought += 1
                summary = f"{did.number} is not on {account}: it was not bought"
            audit_log(actor=actor, action="did.buy_settled", obj=account, summary=summary)
    return confirmed, not_bought


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def did_assign(*, actor: Any, did: DID, extension: Extension | None, ip: str | None = None) -> DID:
    """Make `extension` (an agent's) call over `did`; None unassigns it everywhere."""
    if extension is None:
        with transaction.atomic():
            for ext in did.extensions.all():
                extension_set_did(actor=actor, extension=ext, did=None, ip=ip)
        return did
    extension_set_did(actor=actor, extension=extension, did=did, ip=ip)
    return did


def did_release(*, actor: Any, did: DID, ip: str | None = None) -> DID:
    """Stop using a number here. Its extensions lose it; past calls keep the number."""
    if did.status == DID.Status.RELEASED:
        raise ServiceError(f"{did.number} is already released.")
    with transaction.atomic():
        unassigned = Extension.objects.filter(did=did).update(did=None)
        did.status = DID.Status.RELEASED
        did.save(update_fields=["status"])
        audit_log(
            actor=actor,
            action="did.release",
            obj=did,
            ip=ip,
            summary=f"Released {did.number}"
            + (f", unassigned from {unassigned} extension(s)" if unassigned else ""),
        )
    return did
