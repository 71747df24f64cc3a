"""Dispositions (admin): add, edit, deactivate, and sync a provider's list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest
from telephony.forms.dashboard import DispositionEditForm
from telephony.models import Disposition, ProviderAccount
from telephony.providers.base import Capability
from telephony.services.accounts import provider_for
from telephony.services.dispositions import disposition_save, dispositions_sync


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def disposition_list(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    editing = get_object_or_404(Disposition, pk=pk) if pk else Disposition()
    form = DispositionEditForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = disposition_save(
                actor=request.user, disposition=form.save(commit=False), ip=client_ip(request)
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved “{saved.label}”.")
            return redirect("telephony:dispositions")
    accounts = []
    for account in ProviderAccount.objects.filter(enabled=True).order_by("name"):
        provider = provider_for(account)
        supported = provider.supports(Capability.DISPOSITION_PUSH)
        reason = "" if supported else provider.missing_reason(Capability.DISPOSITION_PUSH)
        accounts.append({"account": account, "supported": supported, "reason": reason})
    context = {
        "dispositions": list(Disposition.objects.all()),
        "form": form,
        "editing": editing,
        "accounts": accounts,
    }
    return render(request, "telephony/dispositions.html", context)


@role_required(ADMIN)
@require_POST
def disposition_sync(request: HtmxHttpRequest, account_pk: int) -> HttpResponse:
    account = get_object_or_404(ProviderAccount, pk=account_pk)
    try:
        result = dispositions_sync(actor=request.user, account=account, ip=client_ip(request))
        messages.success(
            request,
            f"{account}: {result.added} added, {result.matched} already here"
            + (f", {result.merged} look-alikes merged" if result.merged else "")
            + ".",
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("telephony:dispositions")
