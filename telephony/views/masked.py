"""Masked calls: start a session, watch it live, cancel it; the sessions with their calls."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import STAFF, role_required
from callcenter.web.kit import HtmxHttpRequest, toast
from callcenter.web.pager import keyset_page
from telephony.forms.dashboard import MaskedSessionForm
from telephony.models import Call
from telephony.selectors.dashboard import masked_sessions
from telephony.services.masked import masked_session_cancel, masked_session_start


def _with_calls(qs):
    calls = Call.objects.select_related("agent__user").order_by("created_at", "id")
    return qs.prefetch_related(Prefetch("calls", queryset=calls))


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def masked_list(request: HtmxHttpRequest) -> HttpResponse:
    initial = {"party_b": request.GET.get("party_b", ""), "minutes": 60}
    form = MaskedSessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = masked_session_start(
                user=request.user,
                did=data["did"],
                party_a=data["party_a"],
                party_b=data["party_b"],
                minutes=data["minutes"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"Masked session started: {session.party_a} ↔ {session.party_b}."
            )
            return redirect("telephony:masked_detail", pk=session.pk)
    page = keyset_page(_with_calls(masked_sessions()), request.GET.get("after", ""))
    return render(request, "telephony/masked_list.html", {"form": form, "page": page})


@vary_on_headers("HX-Request")
@role_required(*STAFF)
def masked_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(_with_calls(masked_sessions()), pk=pk)
    template = (
        "telephony/masked_detail.html#live" if request.htmx else "telephony/masked_detail.html"
    )
    return render(request, template, {"session": session, "calls": list(session.calls.all())})


@vary_on_headers("HX-Request")
@role_required(*STAFF)
@require_POST
def masked_cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(masked_sessions(), pk=pk)
    try:
        result = masked_session_cancel(user=request.user, session=session, ip=client_ip(request))
        message, level = result.message, "warning" if result.left_running else "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    if not request.htmx:
        {"error": messages.error, "warning": messages.warning}.get(level, messages.success)(
            request, message
        )
        return redirect("telephony:masked_detail", pk=session.pk)
    session = get_object_or_404(_with_calls(masked_sessions()), pk=pk)
    response = render(
        request,
        "telephony/masked_detail.html#live",
        {"session": session, "calls": list(session.calls.all())},
    )
    return toast(response, message, level)
