"""`audit_log` is called by every service that changes state."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models

from callcenter.models import AuditEntry


def audit_log(
    *,
    actor: Any | None,
    action: str,
    summary: str,
    obj: models.Model | None = None,
    data: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry. `actor` is a user or None for the system (tasks, webhooks)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        data=data or {},
        ip=ip,
    )


def client_ip(request: Any) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the entry
    of X-Forwarded-For the nearest of them wrote.

    Each proxy appends the address it saw, so with N proxies the client is the N-th entry
    from the right; everything left of it was written by the client and is not believed.
    The header counts only when the peer is one of `TRUSTED_PROXY_ADDRESSES` (else a
    client reaching gunicorn directly could name any address).
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if not from_trusted_proxy(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    count = settings.TRUSTED_PROXY_COUNT
    if len(hops) < count or not hops[-count]:
        return remote  # fewer hops than proxies: the proxy chain is not what was configured
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


def from_trusted_proxy(remote: str | None) -> bool:
    """Whether the peer is a configured proxy (so its X-Forwarded-* headers are believed)."""
    if settings.TRUSTED_PROXY_COUNT <= 0 or not remote:
        return False
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in _network(n) for n in settings.TRUSTED_PROXY_ADDRESSES)


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(value.strip(), strict=False)
