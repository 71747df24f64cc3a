"""The audit log page (admin): filter by user, action and date; read-only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from callcenter.models import AuditEntry
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest
from callcenter.web.pager import keyset_page


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, label="User", max_length=150)
    action = forms.CharField(required=False, label="Action starts with", max_length=64)
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_safe
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = AuditEntry.objects.select_related("actor")
    if form.is_bound and form.is_valid():
        data, tz = form.cleaned_data, timezone.get_current_timezone()
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
            qs = qs.filter(
                at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
            )
    page = keyset_page(qs, request.GET.get("after", ""), field="at")
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "audit/list.html#results" if request.htmx else "audit/list.html"
    return render(request, template, context)
