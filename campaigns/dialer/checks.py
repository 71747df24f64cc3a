"""Dial-time checks: DNC, opt-out, number, lifetime cap, re-call gap, calling windows.

Run on every entry just before it is claimed (not only at import), one query per check
for a whole batch. `verdict` says dial, skip (with a reason) or defer (until when).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db.models import Count, Max

from campaigns.dialer.windows import allowed, campaign_windows, next_allowed
from campaigns.models import Campaign, CampaignAttempt, CampaignDNCEntry, CampaignEntry
from common.phones import contact_zones
from contacts.services.dnc import dnc_numbers

SKIP_REASONS = {
    "dnc": "On the do-not-call list",
    "campaign_dnc": "On this campaign's do-not-call list",
    "opted_out": "Opted out",
    "invalid_number": "Invalid number",
    "duplicate": "Duplicate number",
    "cap_reached": "Lifetime attempt cap reached",
    "outside_every_window": "Outside every calling window",
    "window_closed": "Window ended (no carry-over)",
    "stopped": "Campaign stopped",
    "provider_refused": "Refused by the provider",
}


class DialChecks:
    """Dial-time checks for a batch, each one query for the whole batch."""

    def __init__(self, campaign: Campaign, batch: list[CampaignEntry], now: datetime):
        phones = {e.phone for e in batch}
        self.campaign = campaign
        self.now = now
        # Plain DNC entries and the hashes of erased numbers alike.
        self.dnc = dnc_numbers(phones)
        self.campaign_dnc = set(
            CampaignDNCEntry.objects.filter(campaign=campaign, phone__in=phones).values_list(
                "phone", flat=True
            )
        )
        stats = (
            CampaignAttempt.objects.filter(phone__in=phones)
            .values("phone")
            .annotate(n=Count("id"), last=Max("placed_at"))
        )
        self.attempts = {row["phone"]: (row["n"], row["last"]) for row in stats}
        self.cap = settings.CAMPAIGN_LIFETIME_ATTEMPT_CAP
        self.gap = timedelta(minutes=settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES)

    def verdict(self, entry: CampaignEntry, zones: dict) -> tuple:
        """("dial",), ("skip", reason) or ("defer", until). `zones` caches the windows
        of each zone set across the batches of one pass."""
        barred = self._barred(entry)
        if barred:
            return ("skip", barred)
        _, last = self.attempts.get(entry.phone, (0, None))
        if last is not None and last + self.gap > self.now:
            return ("defer", last + self.gap)
        return self._window_verdict(entry, zones)

    def _barred(self, entry: CampaignEntry) -> str:
        """Why this number must not be called at all (a skip reason), or ""."""
        if entry.contact.opted_out:
            return "opted_out"
        if entry.phone in self.dnc:
            return "dnc"
        if entry.phone in self.campaign_dnc:
            return "campaign_dnc"
        if not _valid(entry.phone):
            return "invalid_number"
        count, _ = self.attempts.get(entry.phone, (0, None))
        if self.cap and count >= self.cap:
            return "cap_reached"
        return ""

    def _window_verdict(self, entry: CampaignEntry, zones: dict) -> tuple:
        # Every zone the contact may be in: the number's country wins over a list default.
        where = contact_zones(
            entry.phone, stored=entry.contact.time_zone, fallback=self.campaign.time_zone
        ).zones
        if where not in zones:
            zones[where] = self._window(where)
        open_now, opens_at, passed = zones[where]
        if open_now:
            return ("dial",)
        if opens_at is None:
            return ("skip", "outside_every_window")
        if passed:
            return ("skip", "window_closed")
        return ("defer", opens_at)

    def _window(self, where: tuple[str, ...]) -> tuple[bool, datetime | None, bool]:
        """(open now, when it next opens, whether a no-carry-over window is over)."""
        windows = campaign_windows(self.campaign, where)
        if allowed(self.now, windows):
            return True, self.now, False
        opens_at = next_allowed(self.now, windows)
        passed = False
        if not self.campaign.carry_over and opens_at is not None:
            # Without carry-over an entry gets the first window after the start only.
            first = next_allowed(self.campaign.started_at or self.now, windows)
            passed = first is not None and first < self.now
        return False, opens_at, passed


def _valid(phone: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return False
