"""Calling windows: may a number be called at this instant, and if not, from when?

A window is a range of local wall-clock time in one zone, optionally on some weekdays
only. A contact may be called when every window that applies holds at once: the global
compliance window (the law's hours) in every zone the contact may be in
(`common.phones.contact_zones`), and for campaigns their daily window
(`campaigns.dialer.windows.campaign_windows`). The rules live here, below the campaigns, because
click-to-call (telephony) must keep the same legal hours.

Local time is not continuous: DST skips an hour (02:30 may not exist) and repeats one.
`next_allowed` therefore only tries the instants where a window can open: each local
start time (the first instant at or after it, across a gap, and its second occurrence in
a repeated hour) and each DST transition (a repeated hour can reopen a window that had
closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HORIZON_DAYS = 8  # a weekly window always opens within this many days, if ever


@dataclass(frozen=True)
class Window:
    start: time
    end: time | None  # None: until midnight
    zone: str
    weekdays: frozenset[int] | None = None  # 0=Monday; None: every day

    def holds(self, at: datetime) -> bool:
        local = at.astimezone(zone_of(self.zone))
        if self.weekdays is not None and local.weekday() not in self.weekdays:
            return False
        t = local.time().replace(tzinfo=None)
        return self.start <= t and (self.end is None or t < self.end)


@lru_cache(maxsize=1024)
def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_hhmm(value: str) -> time | None:
    """ "09:00" -> time(9); "24:00" -> None (midnight at the end of the day)."""
    hours, minutes = (int(part) for part in value.strip().split(":"))
    if (hours, minutes) == (24, 0):
        return None
    return time(hours, minutes)


def allowed(at: datetime, windows: Sequence[Window]) -> bool:
    return all(w.holds(at) for w in windows)


def next_allowed(
    now: datetime, windows: Sequence[Window], *, horizon_days: int = HORIZON_DAYS
) -> datetime | None:
    """The first instant at or after `now` when every window holds, or None within the
    horizon (the windows never meet: e.g. a campaign window outside the legal hours)."""
    if allowed(now, windows):
        return now
    if any(w.end is not None and w.end <= w.start for w in windows) or not windows:
        return None
    candidates = sorted(c for c in _openings(now, windows, horizon_days) if c > now)
    return next((c for c in candidates if allowed(c, windows)), None)


def _openings(now: datetime, windows: Sequence[Window], horizon_days: int) -> Iterable[datetime]:
    for window in windows:
        zone = zone_of(window.zone)
        today = now.astimezone(zone).date()
        for k in range(-1, horizon_days + 1):
            day = today + timedelta(days=k)
            if window.weekdays is None or day.weekday() in window.weekdays:
                yield first_instant_at(zone, day, window.start)
                again = _repeat_of(zone, day, window.start)
                if again is not None:
                    yield again
            transition = _transition_on(zone, day)
            if transition is not None:
                yield transition


def first_instant_at(zone: ZoneInfo, day: date, at: time) -> datetime:
    """The first UTC instant whose local date is `day` and local time is at or after `at`.

    An existing local time maps with fold=0 (its first occurrence). One that DST skips
    lies between its fold=1 and fold=0 readings; the instant the clock jumps is found by
    bisection on whole seconds.
    """
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    other = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = int(min(first, other).timestamp()), int(max(first, other).timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _repeat_of(zone: ZoneInfo, day: date, at: time) -> datetime | None:
    """The second instant reading `at` on `day`, when DST repeats that hour. A window
    starting inside the repeated hour closes when the clock goes back and opens again
    there (a skipped time's fold=1 reading does not read back as `at`)."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if second != first and second.astimezone(zone).replace(tzinfo=None) == naive:
        return second
    return None


def _transition_on(zone: ZoneInfo, day: date) -> datetime | None:
    """The instant the zone's UTC offset changes during `day`, if it does."""
    start = first_instant_at(zone, day, time(0))
    end = first_instant_at(zone, day + timedelta(days=1), time(0))
    if start.astimezone(zone).utcoffset() == end.astimezone(zone).utcoffset():
        return None
    before = start.astimezone(zone).utcoffset()
    lo, hi = int(start.timestamp()), int(end.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def compliance_window(contact_zone: str) -> Window:
    from django.conf import settings

    return Window(
        start=parse_hhmm(settings.CAMPAIGN_COMPLIANCE_WINDOW_START) or time(0),
        end=parse_hhmm(settings.CAMPAIGN_COMPLIANCE_WINDOW_END),
        zone=contact_zone,
    )


def compliance_windows(zones: Sequence[str]) -> list[Window]:
    """The law's hours in each zone a contact may be in: a call needs all of them."""
    return [compliance_window(zone) for zone in zones]


def legal_hours_label() -> str:
    from django.conf import settings

    return f"{settings.CAMPAIGN_COMPLIANCE_WINDOW_START}–{settings.CAMPAIGN_COMPLIANCE_WINDOW_END}"
