"""The global do-not-call list: see, add by hand or from a file; admins remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, SUPERVISOR, role_required, user_role
from callcenter.web.kit import HtmxHttpRequest
from contacts.imports.importer import decode
from contacts.models import DNCEntry
from contacts.services.contacts import dnc_add, dnc_remove

PER_PAGE = 100


@role_required(ADMIN, SUPERVISOR)
@require_http_methods(["GET", "POST"])
def dnc_list(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        numbers = request.POST.get("numbers", "").replace(",", "\n").splitlines()
        upload = request.FILES.get("file")
        source = DNCEntry.Source.MANUAL
        if upload is not None:
            # A file of numbers: the first cell of each line (a header line is rejected
            # as "not a number" and reported, nothing else happens to it).
            text, _ = decode(upload.read())
            numbers += [line.replace(";", ",").split(",")[0] for line in text.splitlines()]
            source = DNCEntry.Source.IMPORT
        try:
            added, invalid = dnc_add(
                user=request.user,
                numbers=numbers,
                source=source,
                reason=request.POST.get("reason", ""),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Added {added} numbers to the do-not-call list.")
            if invalid:
                messages.error(request, f"Not phone numbers: {', '.join(invalid[:10])}")
        return redirect("contacts:dnc")
    query = request.GET.get("q", "").strip()
    qs = DNCEntry.objects.order_by("-created_at", "-id")
    if query:
        qs = qs.filter(phone__endswith=query.lstrip("+").replace(" ", ""))
    try:
        page = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        page = 1
    rows = list(qs[(page - 1) * PER_PAGE : page * PER_PAGE + 1])
    context = {
        "rows": rows[:PER_PAGE],
        "page": page,
        "has_next": len(rows) > PER_PAGE,
        "query": query,
        "can_remove": user_role(request.user) == ADMIN,
    }
    return render(request, "contacts/dnc.html", context)


@role_required(ADMIN)
@require_POST
def dnc_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(DNCEntry, pk=pk)
    dnc_remove(user=request.user, entry=entry, ip=client_ip(request))
    messages.success(request, f"Removed {entry.phone} from the do-not-call list.")
    return redirect("contacts:dnc")
