"""Provider kind -> adapter class. New adapters register here."""

from __future__ import annotations

from telephony.providers.base import Provider
from telephony.providers.sandbox import SandboxProvider

PROVIDERS: dict[str, type[Provider]] = {
    SandboxProvider.kind: SandboxProvider,
}


def provider_class(kind: str) -> type[Provider]:
    try:
        return PROVIDERS[kind]
    except KeyError as exc:
        raise LookupError(f"No provider adapter for kind {kind!r}") from exc


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, cls.label) for kind, cls in PROVIDERS.items()]
