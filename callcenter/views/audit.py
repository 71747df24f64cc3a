"""The audit log page (admin): filter by user, action and date; read-only."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from callcenter.forms.audit import AuditFilterForm
from callcenter.selectors.audit import audit_entries
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest
from callcenter.web.pager import keyset_page


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_safe
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    qs = audit_entries(form.cleaned_data if form.is_bound and form.is_valid() else None)
    page = keyset_page(qs, request.GET.get("after", ""), field="at")
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "audit/list.html#results" if request.htmx else "audit/list.html"
    return render(request, template, context)
