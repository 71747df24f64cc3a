"""Phone numbers are normalised to E.164 at the edge, and time zones inferred from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    """The zone to store on a contact whose zone was not given.

    The number's zone when its numbering plan fixes one; "" when it spans several (the
    call rules then hold in all of them: `contact_zones`), so a list's default never
    stands in for a number's country; `fallback` only when the plan knows no zone at all.
    """
    zones = phone_zones(e164)
    if len(zones) == 1:
        return zones[0]
    return "" if zones else fallback


@lru_cache(maxsize=16384)
def phone_zones(e164: str) -> tuple[str, ...]:
    """Every zone the numbering plan gives for this number (one for most landlines, all of
    a country's zones for many mobiles, none when it knows nothing)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = pn_timezone.time_zones_for_number(parsed)
    return tuple(z for z in zones if z != pn_timezone.UNKNOWN_TIMEZONE)


@dataclass(frozen=True)
class ContactZones:
    """The zones a contact may be in. Calls need the legal hours in every one of them."""

    zones: tuple[str, ...]
    source: str  # "contact" (set on it), "number", "fallback"
    country: str = ""
    ignored: str = ""  # a stored zone that is not one of the number's country

    @property
    def several(self) -> bool:
        return len(self.zones) > 1

    def describe(self) -> str:
        if self.several:
            where = f" in {self.country}" if self.country else ""
            return f"one of {len(self.zones)} zones{where}; calling only when all allow"
        label = {"contact": "set on the contact", "number": "from the number"}
        return f"{self.zones[0]} ({label.get(self.source, 'the number gives none; default')})"


@lru_cache(maxsize=16384)
def contact_zones(phone: str, *, stored: str = "", fallback: str = "UTC") -> ContactZones:
    """Where a contact may be, for the calling rules.

    The number's country always wins: a stored zone (typed on the contact, an import's
    column, or a list default stored by older imports) counts only when it keeps the clock
    of one of the number's zones, and then narrows them to it. Otherwise every zone of the
    number applies. A number whose plan gives no zone keeps the stored zone or `fallback`.
    """
    candidates = phone_zones(phone)
    if not candidates:
        return ContactZones((stored or fallback,), "contact" if stored else "fallback")
    if stored and any(_same_clock(stored, zone) for zone in candidates):
        return ContactZones((stored,), "contact")
    return ContactZones(candidates, "number", _country(phone), ignored=stored)


def _country(e164: str) -> str:
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    return country_name(region or "")


@lru_cache(maxsize=256)
def country_name(region: str) -> str:
    """The English name of an ISO 3166 region ("AU" -> "Australia"), else the code.

    Read from phonenumbers' own locale table as text: importing its geocoder (or the
    `geodata` package that holds the table) loads ~97 MB of place names into every
    process, for one country name on a contact page."""
    import re
    from pathlib import Path

    table = Path(phonenumbers.__file__).with_name("geodata") / "locale.py"
    try:
        text = table.read_text(encoding="utf-8")
    except OSError:
        return region
    line = re.search(rf"^\s*'{re.escape(region)}': \{{(.*)\}},?$", text, re.M) if region else None
    if line is None:
        return region
    names = dict(re.findall(r"'(\w+)':(?:u\()?'((?:[^'\\]|\\.)*)'", line.group(1)))
    name = names.get("en", "")
    if name.startswith("*"):
        name = names.get(name[1:], "")
    return name.encode().decode("unicode_escape") if "\\" in name else (name or region)


# Daily samples over four years: zones whose UTC offsets agree at every sample keep the
# same clock (aliases like Asia/Kolkata and Asia/Calcutta, or twin cities).
_SAMPLES = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=12 * k) for k in range(2922)]


@lru_cache(maxsize=4096)
def _same_clock(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        za, zb = ZoneInfo(a), ZoneInfo(b)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return all(at.astimezone(za).utcoffset() == at.astimezone(zb).utcoffset() for at in _SAMPLES)


def format_national(e164: str) -> str:
    """Human formatting for tables: `+91 98765 43210`."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
