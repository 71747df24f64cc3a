"""Creating a call we place, with the first line of its timeline: one place for the rule.

Every call the dashboard places (click-to-call, masked, the dialer's outbound calls) starts
as a `queued` row with one app event saying who or what placed it. Both are written in
the caller's transaction: a caller that audits or claims alongside commits all of it or
none of it, and the placing request is sent only after that commit.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from contacts.models import Contact
from telephony.models import DID, Agent, Call, CallEvent, MaskedSession, ProviderAccount
from telephony.providers.base import CallStatus


def call_create(
    *,
    account: ProviderAccount,
    call_type: str,
    from_number: str,
    to_number: str,
    did: DID | None,
    first_event: str,
    agent: Agent | None = None,
    contact: Contact | None = None,
    masked_session: MaskedSession | None = None,
    initiated_by: Any = None,
) -> Call:
    """A queued call over `did` and its first event, `first_event` (by the app).
    Call inside the caller's transaction; nothing is sent here."""
    call = Call.objects.create(
        account=account,
        call_type=call_type,
        from_number=from_number,
        to_number=to_number,
        did=did,
        did_number=did.number if did else "",
        agent=agent,
        contact=contact,
        masked_session=masked_session,
        initiated_by=initiated_by,
    )
    call_event_add(
        call=call, status=CallStatus.QUEUED, source=CallEvent.Source.APP, detail=first_event
    )
    return call


def call_event_add(*, call: Call, status: str, source: str, detail: str) -> CallEvent:
    """One line of a call's timeline, now (a status we set, not one a provider sent)."""
    return CallEvent.objects.create(
        call=call, at=timezone.now(), status=status, source=source, detail=detail[:300]
    )
