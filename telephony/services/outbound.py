"""Outbound TTS, IVR-flow and voicebot calls (the dialer's calls).

Creating the row and sending the request are two steps on purpose: the campaign engine
creates the row in the same transaction as it claims an entry and records the attempt,
commits, and only then sends the request once. A crash between the two leaves a row with
no provider id, which reconciliation marks `unknown` instead of sending again.
"""

from __future__ import annotations

from typing import Any

from callcenter.services.errors import ServiceError
from contacts.models import Contact
from telephony.models import DID, Call, ProviderAccount
from telephony.providers.base import CallStatus, Capability, OutboundCallRequest, ProviderError
from telephony.services.accounts import provider_for
from telephony.services.call_create import call_create
from telephony.services.calls import _mark, _place

CAPABILITY = {
    Call.Type.TTS: Capability.TTS_CALL,
    Call.Type.FLOW: Capability.FLOW_CALL,
    Call.Type.VOICEBOT: Capability.VOICEBOT_CALL,
}
METHOD = {
    Call.Type.TTS: "tts_call",
    Call.Type.FLOW: "flow_call",
    Call.Type.VOICEBOT: "voicebot_call",
}


def call_outbound_prepare(
    *,
    account: ProviderAccount,
    kind: str,
    to_number: str,
    did: DID | None = None,
    contact: Contact | None = None,
    detail: str = "",
) -> Call:
    """Create the call's row (call inside the caller's transaction). Nothing is sent."""
    if kind not in CAPABILITY:
        raise ServiceError(f"“{kind}” is not an outbound call type.")
    return call_create(
        account=account,
        call_type=kind,
        from_number=did.number if did else "",
        to_number=to_number,
        did=did,
        contact=contact,
        first_event=detail,
    )


def call_outbound_place(
    *, call: Call, request: OutboundCallRequest, actor: Any | None = None
) -> None:
    """Send the placing request once (`_place`: a timeout leaves the call `unknown`).

    Raises ServiceError when the provider refuses; its `__cause__` is the ProviderError,
    so a caller can tell a rate limit (try later) from a permanent refusal.
    """
    provider = provider_for(call.account)
    capability = CAPABILITY[call.call_type]
    if not provider.supports(capability):
        reason = provider.missing_reason(capability)
        _mark(call, CallStatus.FAILED, reason, actor=actor)
        raise ServiceError(reason)
    _place(call, provider, lambda p: getattr(p, METHOD[call.call_type])(request), actor=actor)


def call_outbound(
    *,
    account: ProviderAccount,
    kind: str,
    request: OutboundCallRequest,
    did: DID | None = None,
    contact: Contact | None = None,
    actor: Any | None = None,
) -> Call:
    """Prepare and place in one go, for callers with no claim to record in between."""
    call = call_outbound_prepare(
        account=account, kind=kind, to_number=request.to_number, did=did, contact=contact
    )
    request = OutboundCallRequest(**{**request.__dict__, "reference": str(call.pk)})
    call_outbound_place(call=call, request=request, actor=actor)
    return call


def call_mark_unknown(*, call: Call, reason: str) -> None:
    """A call whose placing request may or may not have reached the provider."""
    if call.status == CallStatus.QUEUED and not call.provider_call_id:
        _mark(call, CallStatus.UNKNOWN, reason, actor=None)


def provider_error_of(exc: BaseException) -> ProviderError | None:
    cause = exc.__cause__
    return cause if isinstance(cause, ProviderError) else None
