"""`audit_log` is called by every service that changes state."""

from __future__ import annotations

from typing import Any

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
    """The client address as the web server saw it (no proxy header trust by default)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None
