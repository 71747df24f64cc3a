"""Which numbers must never be dialed: the DNC list, plain or hashed (erased contacts).

Every dial-time check goes through `dnc_numbers`, so a number erased on request (kept
only as a keyed hash in `ErasedNumber`) is refused exactly like one on the plain list.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from contacts.models import DNCEntry, ErasedNumber


def number_hash(phone: str) -> str:
    """HMAC-SHA256 of an E.164 number. Keyed, because a bare hash of a phone number is
    reversed by trying every number of a country in minutes."""
    key = settings.ERASURE_HASH_KEY.encode()
    return hmac.new(key, phone.strip().encode(), hashlib.sha256).hexdigest()


def dnc_numbers(phones: Iterable[str]) -> set[str]:
    """The given numbers that are on the DNC list or were erased; two queries in all."""
    phones = {p for p in phones if p}
    if not phones:
        return set()
    blocked = set(DNCEntry.objects.filter(phone__in=phones).values_list("phone", flat=True))
    hashes = {number_hash(p): p for p in phones - blocked}
    if hashes:
        erased = ErasedNumber.objects.filter(phone_hash__in=hashes).values_list(
            "phone_hash", flat=True
        )
        blocked |= {hashes[h] for h in erased}
    return blocked


def is_dnc(phone: str) -> bool:
    return bool(dnc_numbers([phone]))
