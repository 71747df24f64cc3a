"""Provider-account pages (admins): connection test, webhook URL, health, sync."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest, toast
from telephony.forms.accounts import AccountForm
from telephony.models import ProviderAccount
from telephony.providers.base import Capability
from telephony.providers.registry import PROVIDERS
from telephony.services.accounts import (
    account_create,
    account_rotate_webhook_secret,
    account_sync_now,
    account_test,
    account_update,
)


@role_required(ADMIN)
def account_list(request: HtmxHttpRequest) -> HttpResponse:
    accounts = ProviderAccount.objects.order_by("name")
    return render(request, "telephony/accounts/list.html", {"accounts": accounts})


# What each capability is called on the page (its code, capitalised, read "Tts call").
CAPABILITY_LABELS = {
    "click_to_call": "Click-to-call",
    "masked_call": "Masked calls",
    "tts_call": "TTS calls",
    "flow_call": "IVR flow calls",
    "voicebot_call": "Voicebot calls",
    "hosted_campaign": "Campaigns run at the provider",
    "call_details": "Call details",
    "call_logs": "Call logs",
    "recordings": "Recordings",
    "disposition_push": "Dispositions sent to the provider",
    "dids": "DIDs (search and buy)",
    "agents": "Agents",
    "extensions": "Extensions",
    "tts_templates": "TTS templates",
    "sms": "SMS",
    "contacts_optout": "Contact opt-outs",
    "credits": "Credit balance",
    "webhooks": "Webhooks",
}


def _capabilities(account: ProviderAccount) -> list[tuple[str, bool, str]]:
    cls = PROVIDERS.get(account.kind)
    if cls is None:
        return []
    return [
        (
            CAPABILITY_LABELS.get(c.value, c.value.replace("_", " ").capitalize()),
            cls.supports(c),
            "" if cls.supports(c) else cls.missing_reason(c),
        )
        for c in Capability
    ]


@vary_on_headers("HX-Request")
@role_required(ADMIN)
def account_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(ProviderAccount, pk=pk)
    template = (
        "telephony/accounts/detail.html#health"
        if request.htmx
        else "telephony/accounts/detail.html"
    )
    context = {
        "account": account,
        "capabilities": _capabilities(account),
        "webhook_url": account.webhook_url_for(request),
        "provider_label": PROVIDERS[account.kind].label
        if account.kind in PROVIDERS
        else account.kind,
    }
    return render(request, template, context)


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def account_edit(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    account = get_object_or_404(ProviderAccount, pk=pk) if pk else ProviderAccount()
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("cred_")}
        if account.pk:
            data.pop("kind", None)
            account_update(
                account=account,
                actor=request.user,
                ip=client_ip(request),
                changes={**data, "credentials": form.credentials()},
            )
        else:
            kind, name = data.pop("kind"), data.pop("name")
            account = account_create(
                actor=request.user,
                kind=kind,
                name=name,
                credentials=form.credentials(),
                default_region=data.pop("default_region"),
                base_url=data.pop("base_url"),
            )
            account_update(account=account, actor=request.user, changes=data, ip=client_ip(request))
        messages.success(request, f"Saved {account.name}.")
        return redirect("telephony:account_detail", pk=account.pk)
    return render(request, "telephony/accounts/form.html", {"form": form, "account": account})


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_POST
def account_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    account = get_object_or_404(ProviderAccount, pk=pk)
    ip = client_ip(request)
    if action == "test":
        ok, message = account_test(account=account, actor=request.user)
        level = "success" if ok else "error"
    elif action == "rotate":
        account_rotate_webhook_secret(account=account, actor=request.user, ip=ip)
        message, level = "New webhook secret in use; the previous one still works.", "success"
    elif action == "sync":
        account_sync_now(account=account, actor=request.user, ip=ip)
        message, level = "Sync queued; results appear below within a minute.", "success"
    else:
        return HttpResponse(status=404)
    if request.htmx:
        account.refresh_from_db()
        response = render(request, "telephony/accounts/detail.html#health", {"account": account})
        return toast(response, message, level)
    (messages.success if level == "success" else messages.error)(request, message)
    return redirect("telephony:account_detail", pk=account.pk)
