"""Reads of the audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from callcenter.models import AuditEntry


def audit_entries(data: dict | None) -> QuerySet[AuditEntry]:
    """The entries the audit page's filters (AuditFilterForm's cleaned data) select."""
    qs = AuditEntry.objects.select_related("actor")
    if data is None:
        return qs
    tz = timezone.get_current_timezone()
    username = data["user"].strip()
    # Through the actor FK, so the (actor, -at) index serves it.
    if username == "system":
        qs = qs.filter(actor__isnull=True)
    elif username:
        qs = qs.filter(actor__username=username)
    if data["action"]:
        qs = qs.filter(action__startswith=data["action"].strip())
    if data["date_from"]:
        qs = qs.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data["date_to"]:
        qs = qs.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
    return qs
