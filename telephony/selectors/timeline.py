"""A contact's timeline: every call, SMS, note and callback about one person, by anyone.

Whoever may see the contact sees all of it (an agent about to call someone needs to
know that a campaign called them yesterday, or that a colleague promised a callback);
each call says whether this user may also open it, since the calls list and the call
pages stay scoped to the user's own calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callcenter.models import AuditEntry
from contacts.models import Contact
from telephony.models import Call, Callback
from telephony.selectors.calls import calls_visible_to

LIMIT = 100


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "call" | "sms" | "callback"
    at: datetime
    obj: Any  # the Call, AuditEntry or Callback
    can_open: bool = False  # a call whose page this user may open
    campaign: str = ""  # the campaign that placed the call (filled by the page, see below)


def contact_timeline(user: Any, contact: Contact, *, limit: int = LIMIT) -> list[TimelineItem]:
    """The newest `limit` events about the contact, newest first (three indexed queries)."""
    calls = list(
        Call.objects.filter(contact=contact)
        .select_related("agent__user", "disposition", "account")
        .order_by("-created_at", "-id")[:limit]
    )
    openable = set(
        calls_visible_to(user).filter(pk__in=[c.pk for c in calls]).values_list("pk", flat=True)
    )
    sms = AuditEntry.objects.filter(
        action="sms.send", object_type="contacts.contact", object_id=str(contact.pk)
    ).order_by("-at")[:limit]
    callbacks = (
        Callback.objects.filter(contact=contact)
        .select_related("agent__user", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [TimelineItem("call", c.created_at, c, c.pk in openable) for c in calls]
    items += [TimelineItem("sms", e.at, e) for e in sms]
    items += [TimelineItem("callback", cb.created_at, cb) for cb in callbacks]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
