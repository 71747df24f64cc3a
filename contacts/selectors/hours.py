"""A contact's local time now, and whether the law's calling hours hold for them.

Shared by the contact page, the live call card, the callback form and click-to-call:
the same zones (`contact_zones`) and the same legal window (`contacts.selectors.windows`) the
dialer uses, so a person is never called by hand at an hour a campaign may not call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from common.phones import ContactZones, contact_zones
from contacts.models import Contact
from contacts.selectors.windows import (
    allowed,
    compliance_windows,
    legal_hours_label,
    next_allowed,
    zone_of,
)


@dataclass(frozen=True)
class LocalHours:
    zones: ContactZones
    local_times: list[tuple[str, datetime]]  # (zone, the contact's clock there now)
    legal: bool  # the law's hours hold in every zone
    opens_at: datetime | None  # when they next do, if not now
    window: str  # "09:00–21:00"

    def clocks(self) -> list[tuple[str, str]]:
        """(zone, "Wed 18:13") for each zone, read on that zone's own wall clock (templates'
        date filter would convert back to the site's zone)."""
        return [(zone, f"{local:%a %H:%M}") for zone, local in self.local_times]

    def clock(self) -> str:
        """ "Tue 22:21 Australia/Sydney", or the span of clocks across several zones."""
        times = sorted(self.local_times, key=lambda zt: zt[1].replace(tzinfo=None))
        first, last = times[0], times[-1]
        if len(times) == 1 or first[1].strftime("%a %H:%M") == last[1].strftime("%a %H:%M"):
            return f"{first[1]:%a %H:%M} {first[0]}"
        return f"{first[1]:%a %H:%M} ({first[0]}) to {last[1]:%a %H:%M} ({last[0]})"


def contact_local_hours(contact: Contact, *, at: datetime | None = None) -> LocalHours:
    at = at or timezone.now()
    zones = contact_zones(contact.phone, stored=contact.time_zone, fallback=settings.TIME_ZONE)
    windows = compliance_windows(zones.zones)
    return LocalHours(
        zones=zones,
        local_times=[(zone, at.astimezone(zone_of(zone))) for zone in zones.zones],
        legal=allowed(at, windows),
        opens_at=next_allowed(at, windows),
        window=legal_hours_label(),
    )
