from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.roles import ADMIN, ALL_ROLES, SUPERVISOR, role_required
from callcenter.web.kit import HtmxHttpRequest
from callcenter.web.pager import keyset_page
from campaigns.models import CampaignAttempt
from contacts.forms.contacts import ContactForm
from contacts.models import Contact, ContactList
from contacts.selectors.contacts import contact_for_user, contact_search, contacts_visible_to
from contacts.selectors.hours import contact_local_hours
from contacts.services.contacts import contact_list_add, contact_save, dnc_add
from contacts.services.dnc import is_dnc
from telephony.providers.base import Capability
from telephony.selectors.calls import accounts_split_by
from telephony.selectors.timeline import contact_timeline


@vary_on_headers("HX-Request")
@role_required(*ALL_ROLES)
def contact_list(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    filters = {
        "list": request.GET.get("list", ""),
        "opted_out": request.GET.get("opted_out", ""),
        "tz": request.GET.get("tz", "").strip(),
    }
    qs = _filtered(contact_search(contacts_visible_to(request.user), query), filters)
    # No COUNT(*) and no OFFSET: pages continue after the last id seen (the id index).
    page = keyset_page(qs, request.GET.get("after"), per_page=50, field="id")
    params = request.GET.copy()
    params.pop("after", None)
    context = {
        "page": page,
        "query": query,
        "filters": filters,
        "params": params.urlencode(),
        "lists": ContactList.objects.order_by("name"),
    }
    template = "contacts/list.html#results" if request.htmx else "contacts/list.html"
    return render(request, template, context)


def _filtered(qs, filters: dict) -> QuerySet:
    if filters["list"].isdigit():
        qs = qs.filter(lists__id=int(filters["list"]))
    if filters["opted_out"] in ("yes", "no"):
        qs = qs.filter(opted_out=filters["opted_out"] == "yes")
    if filters["tz"]:
        qs = qs.filter(time_zone=filters["tz"])
    return qs


@role_required(*ALL_ROLES)
def contact_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, pk)
    sms_accounts, sms_missing = accounts_split_by(Capability.SMS)
    context = {
        "contact": contact,
        "timeline": _with_campaigns(contact_timeline(request.user, contact)),
        "sms_accounts": sms_accounts,
        "sms_missing": sms_missing,
        "all_lists": ContactList.objects.exclude(contacts=contact).order_by("name")[:200],
        "on_dnc": is_dnc(contact.phone),  # an erased number counts, kept as a hash
        "hours": contact_local_hours(contact),
        "calls_outside_hours": settings.CALLS_MANUAL_OUTSIDE_HOURS,
    }
    return render(request, "contacts/detail.html", context)


def _with_campaigns(timeline: list) -> list:
    """Name the campaign of each campaign call: the page composes what telephony, which
    knows nothing of campaigns, and campaigns hold."""

    call_ids = [item.obj.pk for item in timeline if item.kind == "call"]
    names = dict(
        CampaignAttempt.objects.filter(call_id__in=call_ids).values_list(
            "call_id", "entry__campaign__name"
        )
    )
    return [
        replace(item, campaign=names[item.obj.pk])
        if item.kind == "call" and item.obj.pk in names
        else item
        for item in timeline
    ]


@role_required(*ALL_ROLES)
@require_POST
def contact_add_to_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, pk)
    contact_list = get_object_or_404(ContactList, pk=request.POST.get("list") or 0)
    contact_list_add(
        user=request.user, contact=contact, contact_list=contact_list, ip=client_ip(request)
    )
    messages.success(request, f"Added to {contact_list.name}.")
    return redirect("contacts:detail", pk=contact.pk)


@role_required(*ALL_ROLES)
@require_POST
def contact_mark_dnc(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, pk)
    dnc_add(
        user=request.user,
        numbers=[contact.phone],
        reason=f"Marked from contact {contact.pk}",
        ip=client_ip(request),
    )
    messages.success(request, f"{contact.phone} is on the do-not-call list; it will not be dialed.")
    return redirect("contacts:detail", pk=contact.pk)


@role_required(ADMIN, SUPERVISOR)
@require_http_methods(["GET", "POST"])
def contact_create(request: HtmxHttpRequest) -> HttpResponse:
    """Agents may view and change the contacts they call, not add new ones (their role's
    permissions are view/change), so this page is staff-only like the other staff pages."""
    return _contact_form(request, Contact())


@role_required(*ALL_ROLES)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _contact_form(request, contact_for_user(request.user, pk))


def _contact_form(request: HtmxHttpRequest, contact: Contact) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = contact_save(
            user=request.user,
            contact=form.save(commit=False),
            lists=list(form.cleaned_data["lists"]),
            ip=client_ip(request),
        )
        messages.success(request, f"Saved {saved.name or saved.phone}.")
        return redirect("contacts:detail", pk=saved.pk)
    return render(request, "contacts/form.html", {"form": form, "contact": contact})
