"""Provider kind -> adapter class. New adapters register here."""

from __future__ import annotations

from telephony.providers.base import Provider
from telephony.providers.callkaro.adapter import CallKaroProvider
from telephony.providers.callmatic.adapter import CallmaticProvider
from telephony.providers.ivrsolutions.adapter import IVRSolutionsProvider
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from telephony.providers.robotalker.adapter import RobotalkerProvider
from telephony.providers.sandbox.adapter import SandboxProvider

PROVIDERS: dict[str, type[Provider]] = {
    SandboxProvider.kind: SandboxProvider,
    CallKaroProvider.kind: CallKaroProvider,
    CallmaticProvider.kind: CallmaticProvider,
    IVRSolutionsProvider.kind: IVRSolutionsProvider,
    RobotalkerProvider.kind: RobotalkerProvider,
    OutboundCallsProvider.kind: OutboundCallsProvider,
}


def provider_class(kind: str) -> type[Provider]:
    try:
        return PROVIDERS[kind]
    except KeyError as exc:
        raise LookupError(f"No provider adapter for kind {kind!r}") from exc


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, cls.label) for kind, cls in PROVIDERS.items()]
