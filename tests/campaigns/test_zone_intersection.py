"""Property test: where a number may be in several zones, a call is allowed only when the
legal hours (and a contact-mode campaign window) hold in every one of them.

The oracle asks phonenumbers for the number's candidate zones and reads each local wall
clock with zoneinfo, over numbers of US, CA, AU, BR, RU, MX, ID and IN and instants near
the DST changes of their zones. Both checkers are held to it: the dialer's `DialChecks`
(campaigns, hosted pushes) and `contact_local_hours` (click-to-call).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.test import override_settings
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA

from campaigns.dialer.checks import DialChecks
from campaigns.models import Campaign, CampaignEntry
from contacts.models import Contact
from contacts.selectors.hours import contact_local_hours

REGIONS = ["US", "CA", "AU", "BR", "RU", "MX", "ID", "IN"]
START, END = time(9), time(21)
SPAN = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC))


def _lengths(region: str) -> list[int]:
    types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    examples = (phonenumbers.example_number_for_type(region, t) for t in types)
    return sorted({len(phonenumbers.national_significant_number(e)) for e in examples if e})


def _prefixes(region: str) -> list[str]:
    """The numbering plan's zone prefixes that belong to `region` (+1 is shared by many)."""
    code = str(phonenumbers.country_code_for_region(region))
    found = []
    for prefix in TIMEZONE_DATA:
        if not prefix.startswith(code):
            continue
        sample = (prefix + "2345678901234")[: len(code) + max(_lengths(region))]
        try:
            parsed = phonenumbers.parse("+" + sample)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.region_code_for_number(parsed) in (region, None):
            found.append(prefix)
    return found or [code]


PREFIXES = {region: _prefixes(region) for region in REGIONS}
# Prefixes the plan maps to several zones (AU and RU mobiles, US toll-free…), drawn half
# of the time: they are the case this file is about.
SEVERAL = {r: [p for p in PREFIXES[r] if len(TIMEZONE_DATA[p]) > 1] for r in REGIONS}


@st.composite
def numbers(draw):
    region = draw(st.sampled_from(REGIONS))
    code = str(phonenumbers.country_code_for_region(region))
    several = SEVERAL[region] and draw(st.booleans())
    prefix = draw(st.sampled_from(SEVERAL[region] if several else PREFIXES[region]))
    length = len(code) + draw(st.sampled_from(_lengths(region)))
    rest = draw(st.text("0123456789", min_size=length - len(prefix), max_size=length - len(prefix)))
    parsed = phonenumbers.parse("+" + prefix + rest)
    candidates = [
        z for z in pn_timezone.time_zones_for_number(parsed) if z != pn_timezone.UNKNOWN_TIMEZONE
    ]
    valid = phonenumbers.is_valid_number(parsed) and candidates
    if not valid or phonenumbers.region_code_for_number(parsed) != region:
        # Keep the draw cheap: fall back to the region's example mobile, which is valid.
        parsed = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _transitions(zone: str) -> tuple[datetime, ...]:
    """The instants in SPAN where the zone's UTC offset changes (to the hour)."""
    tz, found = ZoneInfo(zone), []
    day, end = SPAN[0], SPAN[1]
    while day < end:
        nxt = day + timedelta(days=1)
        if day.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            hour = day
            while hour.astimezone(tz).utcoffset() == day.astimezone(tz).utcoffset():
                hour += timedelta(hours=1)
            found.append(hour)
        day = nxt
    return tuple(found)


def _candidates(phone: str) -> list[str]:
    zones = pn_timezone.time_zones_for_number(phonenumbers.parse(phone))
    return [z for z in zones if z != pn_timezone.UNKNOWN_TIMEZONE]


@st.composite
def cases(draw):
    phone = draw(numbers())
    zones = _candidates(phone)
    # Every other draw lands within hours of a DST change of one of the number's zones.
    changes = [t for z in zones for t in _transitions(z)]
    if changes and draw(st.booleans()):
        at = draw(st.sampled_from(changes)) + timedelta(minutes=draw(st.integers(-360, 360)))
    else:
        seconds = int((SPAN[1] - SPAN[0]).total_seconds())
        at = SPAN[0] + timedelta(seconds=draw(st.integers(0, seconds)))
    # A stored zone: none, a foreign list default, or one of the number's own (narrows).
    stored = draw(st.sampled_from(["", "Asia/Kolkata", "Europe/London", zones[0]]))
    return phone, at, stored


def _oracle_zones(phone: str, stored: str) -> list[str]:
    zones = _candidates(phone)
    return [stored] if stored in zones else zones


def _inside(at: datetime, zone: str, start: time, end: time | None) -> bool:
    wall = at.astimezone(ZoneInfo(zone)).time()
    return start <= wall and (end is None or wall < end)


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


@pytest.mark.django_db
@settings(
    max_examples=300,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case=cases(),
    # Often a wide window, so that the legal hours decide and calls are allowed at all.
    window_start=st.one_of(st.sampled_from([time(0), time(8), time(9, 30)]), minutes),
    window_hours=st.one_of(st.just(24), st.integers(1, 24)),
)
def test_a_call_is_allowed_only_when_every_candidate_zone_allows(case, window_start, window_hours):
    # override_settings per example: the `settings` fixture would nest one per assignment.
    with override_settings(**HOURS):
        _check(case, window_start, window_hours)


HOURS = {
    "CAMPAIGN_COMPLIANCE_WINDOW_START": "09:00",
    "CAMPAIGN_COMPLIANCE_WINDOW_END": "21:00",
    "CAMPAIGN_MIN_RECALL_GAP_MINUTES": 0,
}


def _check(case, window_start: time, window_hours: int) -> None:
    phone, at, stored = case
    end_minutes = window_start.hour * 60 + window_start.minute + window_hours * 60
    window_end = None if end_minutes >= 24 * 60 else time(end_minutes // 60, end_minutes % 60)
    campaign = Campaign(
        pk=10**9, name="z", window_start=window_start, window_end=window_end or time(0),
        weekdays=list(range(7)), time_zone_mode="contact", time_zone="Asia/Kolkata",
        carry_over=True, started_at=at,
    )  # fmt: skip
    contact = Contact(phone=phone, time_zone=stored)
    entry = CampaignEntry(campaign=campaign, contact=contact, phone=phone)
    verdict = DialChecks(campaign, [entry], at).verdict(entry, {})
    zones = _oracle_zones(phone, stored)
    event(f"{'several zones' if len(zones) > 1 else 'one zone'}: {verdict[0]}")

    def permitted(instant: datetime) -> bool:
        return all(
            _inside(instant, z, START, END) and _inside(instant, z, window_start, window_end)
            for z in zones
        )

    if verdict[0] == "dial":
        assert permitted(at), (phone, at, zones)
    elif verdict[0] == "defer":
        assert verdict[1] > at and permitted(verdict[1]), (phone, at, verdict, zones)
    if contact_local_hours(contact, at=at).legal:
        assert all(_inside(at, z, START, END) for z in zones), (phone, at, zones)
