"""A contact's data on request: export (zip download) and erase, from the contact page."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, SUPERVISOR, role_required
from callcenter.web.kit import HtmxHttpRequest
from contacts.selectors.contacts import contact_for_user
from telephony.services.privacy import contact_erase, contact_export


@role_required(ADMIN, SUPERVISOR)
@require_POST
def contact_export_view(request: HtmxHttpRequest, contact_pk: int) -> FileResponse:
    # POST, not GET: every export is audited, and a link must not be able to trigger one.
    contact = contact_for_user(request.user, contact_pk)
    name, archive = contact_export(user=request.user, contact=contact, ip=client_ip(request))
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


@role_required(ADMIN, SUPERVISOR)
@require_POST
def contact_erase_view(request: HtmxHttpRequest, contact_pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, contact_pk)
    if request.POST.get("confirm") != "erase":
        messages.error(request, "Tick the box to confirm the erasure; nothing was erased.")
        return redirect("contacts:detail", pk=contact.pk)
    try:
        done = contact_erase(user=request.user, contact=contact, ip=client_ip(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Erased: the contact, {done.calls} call(s) and {done.recordings} recording(s). "
            "The number stays on the do-not-call list as a hash.",
        )
    return redirect("contacts:detail", pk=contact.pk)
