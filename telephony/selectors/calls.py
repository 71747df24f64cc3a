from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from callcenter.services.roles import ADMIN, SUPERVISOR, user_role
from telephony.models import Call, Disposition, ProviderAccount
from telephony.providers.registry import PROVIDERS


def calls_visible_to(user: Any) -> QuerySet[Call]:
    """Admins and supervisors see every call; an agent only the calls they handled."""
    qs = Call.objects.select_related("agent__user", "contact", "disposition", "account")
    if user_role(user) in (ADMIN, SUPERVISOR):
        return qs
    return qs.filter(agent__user=user)


def call_for_user(user: Any, pk: int) -> Call:
    """404 for a call the user may not see (no IDOR through ids in URLs)."""
    return get_object_or_404(calls_visible_to(user), pk=pk)


def active_dispositions() -> QuerySet[Disposition]:
    return Disposition.objects.filter(active=True)


def accounts_split_by(*capabilities) -> tuple[list, list[tuple]]:
    """Enabled accounts whose provider offers any of `capabilities`, and the others with
    the reason each is missing — pages that start something list only the first and
    explain the second."""
    capable, missing = [], []
    for account in ProviderAccount.objects.filter(enabled=True).order_by("name"):
        cls = PROVIDERS.get(account.kind)
        if cls and any(cls.supports(c) for c in capabilities):
            capable.append(account)
        else:
            reason = cls.missing_reason(capabilities[0]) if cls else "unknown provider kind"
            missing.append((account, reason))
    return capable, missing
