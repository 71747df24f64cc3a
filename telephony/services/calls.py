"""Placing calls and recording what the agent says about them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from contacts.models import Contact, DNCEntry
from contacts.selectors.hours import LocalHours, contact_local_hours
from contacts.services.contacts import dnc_add
from contacts.services.dnc import is_dnc
from telephony.models import Agent, Call, CallEvent, Disposition, Extension
from telephony.providers.base import (
    ACTIVE_STATUSES,
    AmbiguousOutcome,
    CallPlaced,
    CallStatus,
    Capability,
    ClickToCallRequest,
    Provider,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.call_create import call_create, call_event_add
from telephony.services.inbox import inbox_match_unmatched
from telephony.services.reconcile import GIVE_UP_AFTER
from telephony.services.sandbox_runtime import sandbox_schedule


class OutsideHours(ServiceError):
    """The contact's local time is outside the legal hours. `confirmable` when the policy
    lets an agent call anyway after confirming (CALLS_MANUAL_OUTSIDE_HOURS)."""

    def __init__(self, message: str, *, confirmable: bool):
        super().__init__(message)
        self.confirmable = confirmable


def call_click_to_call(
    *, user: Any, contact: Contact, ip: str | None = None, confirm_outside_hours: bool = False
) -> Call:
    """Ring the agent's extension, then the contact, bridged over the extension's DID.

    The law's calling hours hold in every zone the contact may be in, as for campaigns;
    outside them the call is refused, or placed after an explicit confirm where the
    policy allows manual calls outside hours (and audited as such).
    """
    agent = Agent.objects.filter(user=user, enabled=True).first()
    if agent is None:
        raise ServiceError("You are not set up as an agent, so you cannot place calls.")
    extension = _usable_extension(agent)
    _check_callable(contact.phone, contact=contact)
    hours = contact_local_hours(contact)
    if not hours.legal:
        _check_outside_hours(hours, confirmed=confirm_outside_hours)
    provider = provider_for(extension.account)
    if not provider.supports(Capability.CLICK_TO_CALL):
        raise ServiceError(provider.missing_reason(Capability.CLICK_TO_CALL))
    with transaction.atomic():
        # The lock serialises two clicks by the same agent: only one call can be placed.
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if Call.objects.filter(agent=agent, status__in=ACTIVE_STATUSES).exists():
            raise ServiceError("You are already on a call. Finish it before placing another.")
        if locked.state != Agent.State.READY:
            raise ServiceError(
                f"You are {locked.get_state_display().lower()}. Set yourself Ready to place calls."
            )
        _check_no_call_in_doubt(contact.phone)
        call = call_create(
            account=extension.account,
            call_type=Call.Type.CLICK_TO_CALL,
            from_number=extension.number,
            to_number=contact.phone,
            did=extension.did,
            agent=agent,
            contact=contact,
            initiated_by=user,
            first_event=f"Click-to-call by {user.get_username()} from ext {extension.number}",
        )
        audit_log(
            actor=user,
            action="call.click_to_call",
            obj=call,
            ip=ip,
            summary=f"Click-to-call to {contact.phone} from ext {extension.number}",
        )
        if not hours.legal:
            audit_log(
                actor=user,
                action="call.outside_hours",
                obj=call,
                ip=ip,
                summary=f"Called {contact.phone} outside the legal hours ({hours.window}) "
                f"after confirming: local time {hours.clock()}",
                data={"zones": list(hours.zones.zones)},
            )
    request = ClickToCallRequest(
        agent_extension=extension.number,
        agent_number=agent.phone or extension.forwarding_number,
        customer_number=contact.phone,
        did_number=extension.did.number,
        reference=str(call.pk),
    )
    _place(call, provider, lambda p: p.click_to_call(request), actor=user)
    Agent.objects.filter(pk=agent.pk).update(state=Agent.State.ON_CALL, state_since=timezone.now())
    return call


def _check_outside_hours(hours: LocalHours, *, confirmed: bool) -> None:
    where = f" ({hours.zones.describe()})" if hours.zones.several else ""
    message = (
        f"It is {hours.clock()} for this contact{where}: outside the legal calling hours "
        f"({hours.window} in the contact's local time"
        + (", in every zone they may be in)." if hours.zones.several else ").")
    )
    if hours.opens_at is not None:
        opens = timezone.localtime(hours.opens_at)
        message += f" Calls are allowed again from {opens:%a %H:%M} {opens.tzname()}."
    if not settings.CALLS_MANUAL_OUTSIDE_HOURS:
        raise OutsideHours(message, confirmable=False)
    if not confirmed:
        raise OutsideHours(message + " Confirm to call anyway.", confirmable=True)


def _usable_extension(agent: Agent) -> Extension:
    today = timezone.localdate()
    for ext in agent.extensions.select_related("did", "account").order_by("number"):
        expired = ext.expires_on is not None and ext.expires_on < today
        if ext.enabled and not expired and ext.did and ext.did.status == "active":
            if not ext.account.enabled:
                raise ServiceError(f"The provider account “{ext.account}” is disabled.")
            return ext
    raise ServiceError(
        "You have no enabled extension with a DID. Ask an admin to assign one before calling."
    )


def _check_no_call_in_doubt(phone: str) -> None:
    """A call to this number whose placing answer was lost may be ringing the customer
    right now: calling again could ring them twice. Until the reconciler settles it from
    the provider's logs (or gives up, after GIVE_UP_AFTER), no second call is placed."""
    doubtful = (
        Call.objects.filter(
            to_number=phone,
            status=CallStatus.UNKNOWN,
            created_at__gte=timezone.now() - GIVE_UP_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if doubtful is not None:
        raise ServiceError(
            f"The call to {phone} at {doubtful.created_at:%H:%M} UTC has an unknown outcome: "
            "the provider may have placed it. It is being checked against the provider's "
            "logs; call again once its page shows how it ended."
        )


def _check_callable(phone: str, *, contact: Contact | None = None) -> None:
    if contact is not None and contact.opted_out:
        raise ServiceError("This contact has opted out of calls.")
    if is_dnc(phone):  # the plain list, or the hash of an erased number
        raise ServiceError(f"{phone} is on the do-not-call list.")


def _place(
    call: Call, provider: Provider, action: Callable[[Provider], CallPlaced], *, actor: Any
) -> None:
    """Send the placing request once. Never retried: a timeout leaves the call `unknown`."""
    try:
        placed = action(provider)
    except AmbiguousOutcome as exc:
        _mark(call, CallStatus.UNKNOWN, exc.message, actor=actor)
        return
    except ProviderError as exc:
        _mark(call, CallStatus.FAILED, exc.message, actor=actor)
        raise ServiceError(f"The provider refused the call: {exc.message}") from exc
    with transaction.atomic():
        call.provider_call_id = placed.provider_call_id
        call.save(update_fields=["provider_call_id"])
        sandbox_schedule(account=call.account, events=placed.simulated_events)
    inbox_match_unmatched(call)


def _mark(call: Call, status: CallStatus, message: str, *, actor: Any) -> None:
    with transaction.atomic():
        call.status = status
        call.error = message[:300]
        fields = ["status", "error"]
        if status == CallStatus.FAILED:
            call.ended_at = timezone.now()
            fields.append("ended_at")
        call.save(update_fields=fields)
        call_event_add(call=call, status=status, source=CallEvent.Source.APP, detail=message)
        audit_log(
            actor=actor, action=f"call.{status}", obj=call, summary=f"Call {call.pk}: {message}"
        )


@transaction.atomic
def call_set_disposition(
    *, user: Any, call: Call, disposition: Disposition, note: str, ip: str | None = None
) -> Call:
    """Record the agent's disposition and note; a DNC disposition adds the number to DNC."""
    if not call.is_final and call.status != CallStatus.UNKNOWN:
        raise ServiceError("Set the disposition once the call has ended.")
    call.disposition = disposition
    call.note = note.strip()
    call.save(update_fields=["disposition", "note"])
    if disposition.adds_to_dnc and call.to_number:
        dnc_add(
            user=user,
            numbers=[call.to_number],
            source=DNCEntry.Source.DISPOSITION,
            reason=f"disposition {disposition.label} on call {call.pk}",
        )
    if call.agent_id:
        Agent.objects.filter(pk=call.agent_id, state=Agent.State.WRAP_UP).update(
            state=Agent.State.READY, state_since=timezone.now()
        )
    audit_log(
        actor=user,
        action="call.disposition",
        obj=call,
        ip=ip,
        summary=f"Call {call.pk}: {disposition.label}" + (" with a note" if call.note else ""),
        data={"disposition": disposition.code},
    )
    return call
