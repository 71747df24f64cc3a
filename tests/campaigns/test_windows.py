"""Property tests: a call is never placed outside the contact's allowed local hours.

The oracle here reads the local wall clock with zoneinfo directly and compares it with
the windows, for any zone, window, weekdays and instant, DST transitions included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from campaigns.dialer.checks import DialChecks
from campaigns.dialer.windows import Window, allowed, first_instant_at, next_allowed
from campaigns.models import Campaign, CampaignEntry
from contacts.models import Contact

ZONES = sorted(
    z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
)
DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "America/Santiago",
    "Europe/Berlin",
    "Pacific/Auckland",
    "America/Havana",
    "Asia/Tehran",
]
# A number in each zone: the number's country wins over a stored zone, so the contact's
# zone must be one its number allows (tests/contacts/test_phone_zones.py covers the rest).
NUMBER_IN = {
    "America/New_York": "+12125551234",
    "Europe/London": "+442071234567",
    "Australia/Sydney": "+61212345678",
    "America/Santiago": "+56221234567",
    "Europe/Berlin": "+49301234567",
    "Pacific/Auckland": "+6493001234",
    "America/Havana": "+5372345678",
    "Asia/Tehran": "+982112345678",
    "Asia/Kolkata": "+919876543210",
    "Asia/Kathmandu": "+97714123456",
}


def _oracle(at: datetime, zone: str, start: time, end: time | None, weekdays) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    if weekdays is not None and local.weekday() not in weekdays:
        return False
    wall = local.time()
    return start <= wall and (end is None or wall < end)


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))


ANY_ZONE = st.sampled_from(ZONES)


@st.composite
def windows(draw, zone_strategy=ANY_ZONE):
    start = draw(minutes)
    end = draw(st.one_of(st.none(), minutes.filter(lambda t: t > start)))
    weekdays = draw(st.one_of(st.none(), st.frozensets(st.integers(0, 6), min_size=1)))
    return Window(start, end, draw(zone_strategy), weekdays)


@st.composite
def instants(draw):
    """Any instant in 2020-2035, or one within hours of a DST change in a DST zone."""
    if draw(st.booleans()):
        seconds = draw(st.integers(0, 15 * 365 * 86400))
        return datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    zone = ZoneInfo(draw(st.sampled_from(DST_ZONES)))
    year = draw(st.integers(2021, 2034))
    month = draw(st.sampled_from([3, 4, 9, 10, 11]))
    day = draw(st.integers(1, 28))
    base = datetime(year, month, day, tzinfo=UTC)
    for hour in range(0, 24 * 8):
        a, b = base + timedelta(hours=hour), base + timedelta(hours=hour + 1)
        if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset():
            return a + timedelta(minutes=draw(st.integers(-180, 240)))
    return base + timedelta(minutes=draw(st.integers(0, 1440)))


def _check(at: datetime, ws: list[Window]) -> bool:
    return all(_oracle(at, w.zone, w.start, w.end, w.weekdays) for w in ws)


@settings(max_examples=400, deadline=None)
@given(at=instants(), ws=st.lists(windows(), min_size=1, max_size=2))
def test_allowed_matches_the_local_wall_clock(at, ws):
    assert allowed(at, ws) == _check(at, ws)


@settings(max_examples=300, deadline=None)
@given(
    at=instants(),
    contact_zone=st.sampled_from(DST_ZONES + ["Asia/Kolkata", "Asia/Kathmandu", "UTC"]),
    campaign=windows(zone_strategy=st.sampled_from(DST_ZONES + ["Asia/Kolkata"])),
    compliance=windows(zone_strategy=st.just("UTC")),
)
def test_next_allowed_is_allowed_and_nothing_earlier_is(at, contact_zone, campaign, compliance):
    ws = [Window(compliance.start, compliance.end, contact_zone), campaign]
    nxt = next_allowed(at, ws)
    if nxt is None:
        # Never within the horizon: no minute of the next week is allowed either.
        for m in range(0, 7 * 24 * 60, 7):
            assert not _check(at + timedelta(minutes=m), ws)
        return
    assert nxt >= at and _check(nxt, ws)
    step = max((nxt - at) / 300, timedelta(seconds=1))
    probe = at
    while probe < nxt - timedelta(seconds=1):
        assert not _check(probe, ws), f"{probe} is allowed but next_allowed said {nxt}"
        probe += step


@pytest.mark.parametrize(
    ("zone", "day", "wall", "expected_utc"),
    [
        # 02:30 does not exist on 2026-03-08 in New York: the first instant at or after it
        # is 03:00 EDT (07:00 UTC), when the clock jumps.
        ("America/New_York", date(2026, 3, 8), time(2, 30), datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        # 01:30 happens twice on 2026-11-01: the first time counts (EDT, 05:30 UTC).
        (
            "America/New_York",
            date(2026, 11, 1),
            time(1, 30),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
    ],
)
def test_first_instant_at_handles_skipped_and_repeated_hours(zone, day, wall, expected_utc):
    assert first_instant_at(ZoneInfo(zone), day, wall) == expected_utc


def test_a_window_starting_in_a_repeated_hour_opens_again_after_the_clock_goes_back():
    """Found by hypothesis: Sydney went from 03:00 AEDT back to 02:00 AEST at 16:00 UTC on
    2021-04-03. A window from 02:01 closed then and opens again at 02:01 AEST, 16:01 UTC,
    not the next afternoon."""
    ws = [Window(time(0), None, "America/New_York"), Window(time(2, 1), None, "Australia/Sydney")]
    at = datetime(2021, 4, 3, 16, 0, tzinfo=UTC)
    assert not allowed(at, ws)
    assert next_allowed(at, ws) == datetime(2021, 4, 3, 16, 1, tzinfo=UTC)


# -- the engine's own decision, with a campaign and a contact ---------------------------------
@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    at=instants(),
    contact_zone=st.sampled_from(DST_ZONES + ["Asia/Kolkata", "Asia/Kathmandu"]),
    window=windows(zone_strategy=st.sampled_from(DST_ZONES)),
    own_zone=st.booleans(),
)
def test_engine_never_dials_outside_the_contacts_allowed_hours(
    settings, at, contact_zone, window, own_zone
):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    assume(window.end is None or window.end > window.start)
    campaign = Campaign(
        pk=10**9,  # never saved: the checks only filter by it
        name="p",
        window_start=window.start,
        window_end=window.end or time(0),
        weekdays=sorted(window.weekdays or range(7)),
        time_zone_mode="contact" if own_zone else "campaign",
        time_zone=window.zone,
        carry_over=True,
        started_at=at,
    )
    contact = Contact(phone=NUMBER_IN[contact_zone], time_zone=contact_zone)
    entry = CampaignEntry(campaign=campaign, contact=contact, phone=contact.phone)
    verdict = DialChecks(campaign, [entry], at).verdict(entry, {})
    zone_for_window = contact_zone if own_zone else window.zone
    days = window.weekdays or frozenset(range(7))

    def permitted(instant: datetime) -> bool:
        return _oracle(instant, contact_zone, time(9), time(21), None) and _oracle(
            instant, zone_for_window, window.start, window.end, days
        )

    if verdict[0] == "dial":
        assert permitted(at)
    else:
        assert not permitted(at)
        if verdict[0] == "defer":
            assert verdict[1] > at and permitted(verdict[1])
