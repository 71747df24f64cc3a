"""DIDs (admin): inventory, search, buy with a confirmation step, assign, release."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest, toast
from telephony.forms.dashboard import AssignForm, DIDSearchForm
from telephony.models import DID, ProviderAccount
from telephony.selectors.dashboard import dids_inventory, extensions_assignable
from telephony.services.dids import (
    did_assign,
    did_buy,
    did_quote,
    did_release,
    dids_search,
    dids_settle_unconfirmed,
)


@role_required(ADMIN)
def did_list(request: HtmxHttpRequest) -> HttpResponse:
    dids = list(dids_inventory()[:500])
    extensions = list(extensions_assignable())
    return render(request, "telephony/did_list.html", {"dids": dids, "extensions": extensions})


@vary_on_headers("HX-Request")
@role_required(ADMIN)
def did_search(request: HtmxHttpRequest) -> HttpResponse:
    form = DIDSearchForm(request.GET or None)
    results, error = [], None
    if form.is_bound and form.is_valid():
        try:
            results = dids_search(
                account=form.cleaned_data["account"],
                region=form.cleaned_data["region"],
                pattern=form.cleaned_data["pattern"],
            )
        except ServiceError as exc:
            error = exc.message
    context = {"form": form, "results": results, "error": error, "searched": form.is_bound}
    template = "telephony/did_search.html#results" if request.htmx else "telephony/did_search.html"
    return render(request, template, context)


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def did_buy_view(request: HtmxHttpRequest) -> HttpResponse:
    """GET shows the confirmation with the provider's price; only the POST buys."""
    source = request.POST if request.method == "POST" else request.GET
    account = get_object_or_404(ProviderAccount, pk=source.get("account") or 0, enabled=True)
    number, region = source.get("number", ""), source.get("region", "")
    try:
        offer = did_quote(account=account, number=number, region=region)
        if request.method == "POST":
            did = did_buy(
                actor=request.user,
                account=account,
                number=number,
                region=region,
                ip=client_ip(request),
            )
            messages.success(request, f"Bought {did.number}. Assign it to an extension below.")
            return redirect("telephony:dids")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("telephony:did_search")
    context = {"account": account, "offer": offer, "region": region}
    return render(request, "telephony/did_buy.html", context)


@role_required(ADMIN)
@require_POST
def did_settle_view(request: HtmxHttpRequest, account_pk: int) -> HttpResponse:
    """Settle purchases whose outcome is unknown by the provider's list of owned numbers."""
    account = get_object_or_404(ProviderAccount, pk=account_pk)
    try:
        confirmed, not_bought = dids_settle_unconfirmed(account=account, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{account}: {confirmed} purchase(s) confirmed, {not_bought} not bought.",
        )
    return redirect("telephony:dids")


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_POST
def did_assign_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    did = get_object_or_404(DID, pk=pk)
    form = AssignForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError("Choose an extension.")
        ext = form.cleaned_data["extension"]
        did_assign(actor=request.user, did=did, extension=ext, ip=client_ip(request))
        message, level = (
            (f"{did.number} assigned to ext {ext.number}." if ext else f"{did.number} unassigned."),
            "success",
        )
    except ServiceError as exc:
        message, level = exc.message, "error"
    return _row_or_redirect(request, did, message, level)


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_POST
def did_release_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    did = get_object_or_404(DID, pk=pk)
    try:
        did_release(actor=request.user, did=did, ip=client_ip(request))
        message, level = f"{did.number} released.", "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    return _row_or_redirect(request, did, message, level)


def _row_or_redirect(request: HtmxHttpRequest, did: DID, message: str, level: str) -> HttpResponse:
    if not request.htmx:
        (messages.error if level == "error" else messages.success)(request, message)
        return redirect("telephony:dids")
    did = dids_inventory().get(pk=did.pk)
    context = {"d": did, "extensions": list(extensions_assignable())}
    return toast(render(request, "telephony/did_list.html#row", context), message, level)
