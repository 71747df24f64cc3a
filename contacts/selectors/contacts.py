from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from callcenter.services.roles import AGENT, user_role
from common.phones import InvalidPhoneNumber, normalize_phone
from contacts.models import Contact


def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    """Agents see the unassigned pool and their own contacts; others see all."""
    qs = Contact.objects.all()
    if user_role(user) == AGENT:
        qs = qs.filter(Q(assigned_to__isnull=True) | Q(assigned_to=user))
    return qs


def contact_for_user(user: Any, pk: int) -> Contact:
    """404 (not 403) for a contact the user may not see, so ids reveal nothing."""
    return get_object_or_404(contacts_visible_to(user), pk=pk)


def contacts_with_phone(user: Any, phone: str, *, exclude_pk: int | None = None) -> list[Contact]:
    """Other contacts (that the user may see) holding this E.164 number: the duplicates a
    new or edited contact would make."""
    qs = contacts_visible_to(user).filter(phone=phone, erased_at__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("id")[:5])


def contact_search(qs: QuerySet[Contact], query: str, *, region: str = "IN") -> QuerySet[Contact]:
    """Match a number typed in any format exactly (indexed), else a name prefix."""
    query = query.strip()
    if not query:
        return qs
    try:
        return qs.filter(phone=normalize_phone(query, region=region))
    except InvalidPhoneNumber:
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4:
            return qs.filter(phone__endswith=digits)
        return qs.filter(name__istartswith=query)
