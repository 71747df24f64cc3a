"""Phone numbers are normalised to E.164 at the edge, and time zones inferred from them."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as pn_timezone


class InvalidPhoneNumber(ValueError):
    """A number that cannot be a real phone number, with a message a person can act on."""


def normalize_phone(raw: str, *, region: str = "IN") -> str:
    """Return `raw` as E.164 (`+919876543210`) or raise `InvalidPhoneNumber`."""
    return _normalize(raw or "", region or "")


# Parsing costs ~50 µs and bulk paths (log sync, imports) see the same numbers again and
# again (the DID on every row, a parsed number normalised once more when stored), so
# recent answers are kept; invalid numbers raise and are not cached.
@lru_cache(maxsize=16384)
def _normalize(raw: str, region: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber("Enter a phone number.")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"“{raw}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"“{raw}” is not a valid phone number for region {region}.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_time_zone(e164: str, *, fallback: str = "UTC") -> str:
    """The number's time zone when the numbering plan gives exactly one, else `fallback`.

    Countries with several zones (US, Brazil…) resolve per area code; a number whose
    area spans zones keeps the fallback rather than guessing.
    """
    try:
        zones = pn_timezone.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return fallback
    zones = [z for z in zones if z != pn_timezone.UNKNOWN_TIMEZONE]
    return zones[0] if len(zones) == 1 else fallback


def format_national(e164: str) -> str:
    """Human formatting for tables: `+91 98765 43210`."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
