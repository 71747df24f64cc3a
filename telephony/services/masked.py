"""Number-masked calls: two parties bridged over our DID, neither sees the other's number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from callcenter.services.audit import audit_log
from callcenter.services.errors import ServiceError
from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.models import DID, Call, CallEvent, MaskedSession
from telephony.providers.base import (
    ACTIVE_STATUSES,
    CallStatus,
    CallUpdate,
    Capability,
    CapabilityMissing,
    MaskedCallRequest,
    ProviderError,
)
from telephony.services.accounts import provider_for
from telephony.services.call_create import call_create
from telephony.services.calls import _place
from telephony.services.callstate import call_apply_update
from telephony.services.sandbox_runtime import sandbox_drop_pending


def masked_session_start(
    *,
    user: Any,
    did: DID,
    party_a: str,
    party_b: str,
    minutes: int = 60,
    ip: str | None = None,
) -> MaskedSession:
    """Open a session and place its first call (party A rings first, then party B)."""
    account = did.account
    if did.status != DID.Status.ACTIVE:
        raise ServiceError(f"{did.number} has been released; choose another DID.", field="did")
    if not account.enabled:
        raise ServiceError(f"The provider account “{account}” is disabled.")
    a, b = (
        _number(party_a, account.default_region, "party_a"),
        _number(party_b, account.default_region, "party_b"),
    )
    if a == b:
        raise ServiceError("The two parties must have different numbers.", field="party_b")
    if not 1 <= minutes <= 24 * 60:
        raise ServiceError("A session lasts between 1 minute and 24 hours.", field="minutes")
    provider = provider_for(account)
    if not provider.supports(Capability.MASKED_CALL):
        raise ServiceError(provider.missing_reason(Capability.MASKED_CALL))
    now = timezone.now()
    with transaction.atomic():
        session = MaskedSession.objects.create(
            account=account,
            did=did,
            party_a=a,
            party_b=b,
            expires_at=now + timedelta(minutes=minutes),
            created_by=user,
        )
        call = call_create(
            account=account,
            call_type=Call.Type.MASKED,
            from_number=a,
            to_number=b,
            did=did,
            masked_session=session,
            initiated_by=user,
            first_event=f"Masked call by {user.get_username()} over {did.number}",
        )
        audit_log(
            actor=user,
            action="masked.start",
            obj=session,
            ip=ip,
            summary=f"Masked session {a} ↔ {b} over {did.number} for {minutes} min",
        )
    request = MaskedCallRequest(party_a=a, party_b=b, did_number=did.number, reference=str(call.pk))
    try:
        _place(call, provider, lambda p: p.masked_call(request), actor=user)
    except ServiceError:
        # The call was refused and marked failed: the session never opened.
        MaskedSession.objects.filter(pk=session.pk).update(status=MaskedSession.Status.ENDED)
        raise
    session.provider_session_id = call.provider_call_id
    session.save(update_fields=["provider_session_id"])
    return session


def _number(raw: str, region: str, field: str) -> str:
    try:
        return normalize_phone(raw, region=region)
    except InvalidPhoneNumber as exc:
        raise ServiceError(str(exc), field=field) from exc


@dataclass(frozen=True)
class MaskedCancel:
    session: MaskedSession
    calls_ended: int
    # Empty when the provider hung the live call up; else why it could not, in plain words.
    left_running: str = ""

    @property
    def message(self) -> str:
        if self.left_running:
            return f"Session canceled here. {self.left_running}"
        ended = f" Its live call was hung up ({self.calls_ended})." if self.calls_ended else ""
        return "Session canceled: neither party can reach the other through it now." + ended


def masked_session_cancel(
    *, user: Any, session: MaskedSession, ip: str | None = None
) -> MaskedCancel:
    """Hang the session's live call up at the provider, then close the session here.

    Where the provider cannot hang up (it offers no cancel), the session still closes
    here and the result says plainly that the call in progress goes on.
    """
    if session.status != MaskedSession.Status.ACTIVE:
        raise ServiceError(f"This session is already {session.get_status_display().lower()}.")
    provider = provider_for(session.account)
    live = list(session.calls.filter(status__in=ACTIVE_STATUSES))
    left_running = ""
    try:
        provider.cancel_masked_call(did_number=session.did.number, party_a=session.party_a)
    except CapabilityMissing as exc:
        if live:
            left_running = (
                f"{session.account} cannot hang up a live masked call ({exc.message}); "
                f"the call in progress goes on until a party hangs up."
            )
    except ProviderError as exc:
        raise ServiceError(
            f"{session.account} did not cancel the session: {exc.message} "
            "The session and its call are still live; try again."
        ) from exc
    with transaction.atomic():
        if not MaskedSession.objects.filter(
            pk=session.pk, status=MaskedSession.Status.ACTIVE
        ).update(status=MaskedSession.Status.CANCELED):
            raise ServiceError("This session was closed meanwhile.")
        session.status = MaskedSession.Status.CANCELED
        ended = 0 if left_running else sum(_hang_up(call, user) for call in live)
        audit_log(
            actor=user,
            action="masked.cancel",
            obj=session,
            ip=ip,
            summary=f"Canceled masked session {session.party_a} ↔ {session.party_b}"
            + (f"; hung up {ended} live call(s)" if ended else "")
            + ("; the provider could not hang up its live call" if left_running else ""),
        )
    return MaskedCancel(session=session, calls_ended=ended, left_running=left_running)


def _hang_up(call: Call, user: Any) -> bool:
    """The provider hung up: the call is canceled now, not whenever its last event lands."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if not locked.is_active:
        return False
    update = CallUpdate(
        provider_call_id=locked.provider_call_id,
        status=CallStatus.CANCELED,
        provider_status="canceled by the dashboard",
        occurred_at=timezone.now(),
    )
    call_apply_update(locked, update, source=CallEvent.Source.APP)
    # The sandbox keeps the rest of a simulated call as pending events: a hung-up call
    # has no rest. (A real provider simply sends nothing more, or a late event we keep.)
    sandbox_drop_pending(account=locked.account, provider_call_id=locked.provider_call_id)
    return True


def masked_sessions_expire(*, now: Any = None) -> int:
    """Scheduled: close active sessions whose time is up."""
    now = now or timezone.now()
    expired = 0
    due = MaskedSession.objects.filter(status=MaskedSession.Status.ACTIVE, expires_at__lte=now)
    for session in list(due[:500]):
        with transaction.atomic():
            if not MaskedSession.objects.filter(
                pk=session.pk, status=MaskedSession.Status.ACTIVE
            ).update(status=MaskedSession.Status.EXPIRED):
                continue
            audit_log(
                actor=None,
                action="masked.expired",
                obj=session,
                summary=f"Masked session {session.party_a} ↔ {session.party_b} expired",
            )
        expired += 1
    return expired
