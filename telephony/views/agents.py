"""Agents and extensions (admin): create, enable/disable, expiry, DID."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, role_required
from callcenter.web.kit import HtmxHttpRequest, toast
from common.phones import InvalidPhoneNumber, normalize_phone
from telephony.forms.dashboard import AgentCreateForm, ExtensionForm
from telephony.models import DID, Agent, Extension
from telephony.selectors.dashboard import agents_board
from telephony.services.agents import (
    agent_create,
    agent_set_enabled,
    extension_set_did,
    extension_set_expiry,
)


@role_required(ADMIN)
def agent_list(request: HtmxHttpRequest) -> HttpResponse:
    context = {"agents": agents_board(), "now": timezone.now(), "dids": _dids()}
    return render(request, "telephony/agent_list.html", context)


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def agent_new(request: HtmxHttpRequest) -> HttpResponse:
    form = AgentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            phone = (
                normalize_phone(data["phone"], region=data["account"].default_region)
                if data["phone"]
                else ""
            )
            agent = agent_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                account=data["account"],
                extension_number=data["extension_number"],
                did=data["did"],
                phone=phone,
                expires_on=data["expires_on"],
                ip=client_ip(request),
            )
        except InvalidPhoneNumber as exc:
            form.add_error("phone", str(exc))
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Agent {agent.user.username} created. They start Offline.")
            return redirect("telephony:agents")
    return render(request, "telephony/agent_form.html", {"form": form})


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_POST
def agent_toggle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    agent = get_object_or_404(Agent.objects.select_related("user"), pk=pk)
    enable = request.POST.get("enabled") == "1"
    try:
        agent_set_enabled(actor=request.user, agent=agent, enabled=enable, ip=client_ip(request))
        message, level = f"{agent} {'enabled' if enable else 'disabled'}.", "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    return _row(request, agent.pk, message, level)


@vary_on_headers("HX-Request")
@role_required(ADMIN)
@require_POST
def extension_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    ext = get_object_or_404(Extension.objects.select_related("account", "did"), pk=pk)
    form = ExtensionForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(e for errs in form.errors.values() for e in errs))
        did, expires = form.cleaned_data["did"], form.cleaned_data["expires_on"]
        if did != ext.did:
            extension_set_did(actor=request.user, extension=ext, did=did, ip=client_ip(request))
        if expires != ext.expires_on:
            extension_set_expiry(
                actor=request.user, extension=ext, expires_on=expires, ip=client_ip(request)
            )
        message, level = f"Ext {ext.number} saved.", "success"
    except ServiceError as exc:
        message, level = exc.message, "error"
    return _row(request, ext.agent_id, message, level)


def _row(request: HtmxHttpRequest, agent_pk: int | None, message: str, level: str) -> HttpResponse:
    if not request.htmx or agent_pk is None:
        (messages.error if level == "error" else messages.success)(request, message)
        return redirect("telephony:agents")
    agent = next(a for a in agents_board() if a.pk == agent_pk)
    context = {"a": agent, "now": timezone.now(), "dids": _dids()}
    return toast(render(request, "telephony/agent_list.html#row", context), message, level)


def _dids():
    return list(DID.objects.filter(status=DID.Status.ACTIVE).order_by("number"))
