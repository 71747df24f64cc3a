from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from callcenter.roles import ADMIN, SUPERVISOR, user_role
from contacts.models import Contact
from telephony.models import Call, Disposition


def calls_visible_to(user: Any) -> QuerySet[Call]:
    """Admins and supervisors see every call; an agent only the calls they handled."""
    qs = Call.objects.select_related("agent__user", "contact", "disposition", "account")
    if user_role(user) in (ADMIN, SUPERVISOR):
        return qs
    return qs.filter(agent__user=user)


def call_for_user(user: Any, pk: int) -> Call:
    """404 for a call the user may not see (no IDOR through ids in URLs)."""
    return get_object_or_404(calls_visible_to(user), pk=pk)


def calls_for_contact(user: Any, contact: Contact) -> QuerySet[Call]:
    return calls_visible_to(user).filter(contact=contact).order_by("-created_at", "-id")


def active_dispositions() -> QuerySet[Disposition]:
    return Disposition.objects.filter(active=True)
