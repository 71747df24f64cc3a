"""A campaign's calling windows, on top of the law's (`contacts.selectors.windows`).

The generic window rules (DST gaps and repeats, `next_allowed`) live in `contacts.selectors.windows`
so click-to-call keeps the same legal hours; they are re-exported here for the dialer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time

from contacts.selectors.windows import (  # noqa: F401 (re-exported for the dialer and its tests)
    HORIZON_DAYS,
    Window,
    allowed,
    compliance_window,
    compliance_windows,
    first_instant_at,
    next_allowed,
    parse_hhmm,
    zone_of,
)


def campaign_windows(campaign, contact_zones: str | Sequence[str]) -> list[Window]:
    """The windows a contact of `campaign` who may be in any of `contact_zones` must be in.

    The compliance window always uses the contact's own zones, every one of them: the law
    protects the person's evening, whatever zone the campaign plans in, and a number whose
    country spans several zones may be answered in any of them. In "contact" mode the
    campaign's daily window holds in each of those zones too.
    """
    zones = (contact_zones,) if isinstance(contact_zones, str) else tuple(contact_zones)
    end = campaign.window_end if campaign.window_end != time(0) else None
    days = frozenset(int(d) for d in campaign.weekdays)
    own = zones if campaign.time_zone_mode == "contact" else (campaign.time_zone,)
    return [
        *compliance_windows(zones),
        *(Window(campaign.window_start, end, zone, days) for zone in own),
    ]
