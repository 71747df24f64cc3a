"""Reads for campaign pages, exports and the pre-launch preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import phonenumbers
from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from campaigns.dialer.checks import SKIP_REASONS
from campaigns.dialer.windows import campaign_windows, next_allowed
from campaigns.models import Campaign, CampaignAttempt, CampaignDNCEntry, CampaignEntry
from common.csvsafe import csv_safe_row
from common.phones import contact_zones
from contacts.models import Contact
from contacts.services.dnc import dnc_numbers

State = CampaignEntry.State
FINAL = (State.DONE, State.SKIPPED, State.FAILED)
OUTCOME_LABELS = {
    "completed": "Answered",
    "no_answer": "No answer",
    "busy": "Busy",
    "failed": "Failed",
    "voicemail": "Voicemail",
    "canceled": "Canceled",
    "unknown": "Unknown",
}


def campaign_progress(campaign: Campaign) -> dict:
    """Counters for the progress bar: by state, and by outcome of the last attempt."""
    states = dict(
        campaign.entries.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    outcomes = dict(
        campaign.entries.exclude(outcome="")
        .values_list("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    total = sum(states.values())
    final = sum(states.get(s, 0) for s in FINAL)
    return {
        "total": total,
        "final": final,
        "percent": int(final * 100 / total) if total else 0,
        "states": [(label, states.get(value, 0), value) for value, label in State.choices],
        "outcomes": [(OUTCOME_LABELS.get(o, o), n, o) for o, n in sorted(outcomes.items())],
        "attempts": CampaignAttempt.objects.filter(entry__campaign=campaign).count(),
    }


def campaign_results(
    campaign: Campaign, *, state: str = "", outcome: str = "", query: str = ""
) -> QuerySet[CampaignEntry]:
    qs = campaign.entries.select_related("contact").order_by("id")
    if state:
        qs = qs.filter(state=state)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if query.strip():
        q = query.strip()
        qs = qs.filter(
            Q(phone__endswith=q.lstrip("+").replace(" ", "")) | Q(contact__name__istartswith=q)
        )
    return qs


EXPORT_HEADER = [
    "name", "phone", "state", "outcome", "attempts", "skip_reason",
    "last_attempt_at", "last_call_status", "last_call_duration", "dtmf",
]  # fmt: skip


def campaign_export_rows(qs: QuerySet[CampaignEntry]) -> Iterator[list[str]]:
    """CSV rows, header first; every cell neutralised against formula injection."""
    yield EXPORT_HEADER
    last = {}
    for entries in _chunks(qs, 2000):
        ids = [e.pk for e in entries]
        last = {
            a.entry_id: a
            for a in CampaignAttempt.objects.filter(entry_id__in=ids)
            .select_related("call")
            .order_by("entry_id", "number")
        }
        for e in entries:
            attempt = last.get(e.pk)
            call = attempt.call if attempt else None
            yield csv_safe_row(
                [
                    e.contact.name,
                    e.phone,
                    e.get_state_display(),
                    OUTCOME_LABELS.get(e.outcome, e.outcome),
                    e.attempts,
                    SKIP_REASONS.get(e.skip_reason, e.skip_reason),
                    attempt.placed_at.isoformat() if attempt and attempt.placed_at else "",
                    call.status if call else "",
                    call.duration_seconds if call and call.duration_seconds is not None else "",
                    call.dtmf if call else "",
                ]
            )


def _chunks(qs: QuerySet, size: int) -> Iterator[list]:
    last_id = 0
    while True:
        chunk = list(qs.filter(id__gt=last_id)[:size])
        if not chunk:
            return
        yield chunk
        last_id = chunk[-1].pk


def campaign_preview(campaign: Campaign, *, now: datetime | None = None) -> dict:
    """How many contacts will be called, and how many skipped and why, if started now."""
    now = now or timezone.now()
    rows = (
        Contact.objects.filter(lists__in=campaign.lists.all())
        .order_by("id")
        .values_list("id", "phone", "opted_out", "time_zone")
        .distinct()
    )
    contacts = list(rows)
    phones = {p for _, p, _, _ in contacts}
    dnc = dnc_numbers(phones)
    campaign_dnc = set()
    if campaign.pk:
        campaign_dnc = set(
            CampaignDNCEntry.objects.filter(campaign=campaign, phone__in=phones).values_list(
                "phone", flat=True
            )
        )
    cap = settings.CAMPAIGN_LIFETIME_ATTEMPT_CAP
    capped = set()
    if cap:
        capped = set(
            CampaignAttempt.objects.filter(phone__in=phones)
            .values("phone")
            .annotate(n=Count("id"), last=Max("placed_at"))
            .filter(n__gte=cap)
            .values_list("phone", flat=True)
        )
    reasons: Counter = Counter()
    zones: dict[tuple[str, ...], bool] = {}
    seen: set[str] = set()
    for _, phone, opted_out, zone in contacts:
        reason = _preview_reason(
            campaign, phone, opted_out, zone, seen, dnc, campaign_dnc, capped, zones, now
        )
        seen.add(phone)
        reasons[reason or "call"] += 1
    call = reasons.pop("call", 0)
    return {
        "total": len(contacts),
        "will_call": call,
        "skipped": sum(reasons.values()),
        "reasons": [(SKIP_REASONS[r], n) for r, n in reasons.most_common()],
    }


def _preview_reason(campaign, phone, opted_out, zone, seen, dnc, campaign_dnc, capped, zones, now):
    if phone in seen:
        return "duplicate"
    if opted_out:
        return "opted_out"
    if phone in dnc:
        return "dnc"
    if phone in campaign_dnc:
        return "campaign_dnc"
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        return "invalid_number"
    if phone in capped:
        return "cap_reached"
    where = contact_zones(phone, stored=zone, fallback=campaign.time_zone).zones
    if where not in zones:
        zones[where] = next_allowed(now, campaign_windows(campaign, where)) is not None
    if not zones[where]:
        return "outside_every_window"
    return None
