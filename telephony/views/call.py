from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ALL_ROLES, role_required
from callcenter.web.kit import HtmxHttpRequest, toast
from contacts.selectors.contacts import contact_for_user
from contacts.selectors.hours import contact_local_hours
from telephony.forms.dashboard import WrapUpForm
from telephony.providers.base import WebhookRejected
from telephony.selectors.calls import call_for_user
from telephony.selectors.dashboard import call_timeline
from telephony.services import call_click_to_call, inbox_receive
from telephony.services.live import call_stamp, unchanged
from telephony.views.wrapup import wrap_up_from_form


def _live_context(request: HtmxHttpRequest, call, version: str | None = None) -> dict:
    initial = {"disposition": call.disposition_id, "note": call.note}
    hours = contact_local_hours(call.contact) if call.contact else None
    return {
        "call": call,
        "form": WrapUpForm(initial=initial, contact=call.contact),
        "hours": hours,
        "call_v": version or call_stamp(call),
    }


@vary_on_headers("HX-Request")
@role_required(*ALL_ROLES)
def call_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The call page, or its live panel for a poll; 204 while the poll's stamp holds."""
    call = call_for_user(request.user, pk)
    version = call_stamp(call)
    if request.htmx and unchanged(request, version):
        return HttpResponse(status=204)
    template = "telephony/call_detail.html#live" if request.htmx else "telephony/call_detail.html"
    context = _live_context(request, call, version)
    context["events"] = call_timeline(call)
    return render(request, template, context)


@role_required(*ALL_ROLES)
def call_recording(request: HtmxHttpRequest, pk: int) -> FileResponse:
    """Recordings are served only through the call's permission check, never from /media/."""
    call = call_for_user(request.user, pk)
    recording = getattr(call, "recording", None)
    if recording is None:
        raise Http404("No recording for this call yet")
    return FileResponse(recording.file.open("rb"), content_type=recording.content_type)


@vary_on_headers("HX-Request")
@role_required(*ALL_ROLES)
@require_POST
def call_contact(request: HtmxHttpRequest, contact_pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, contact_pk)
    try:
        call = call_click_to_call(
            user=request.user,
            contact=contact,
            ip=client_ip(request),
            confirm_outside_hours=request.POST.get("confirm_outside_hours") == "yes",
        )
    except ServiceError as exc:
        if request.htmx:
            context = {"error": exc, "contact": contact}
            response = render(request, "telephony/call_detail.html#call-error", context)
            return toast(response, exc.message, "error")
        messages.error(request, exc.message)
        return redirect("contacts:detail", pk=contact.pk)
    if request.htmx:
        response = render(request, "telephony/call_detail.html#live", _live_context(request, call))
        return toast(response, f"Calling {contact.name or contact.phone}…")
    return redirect("telephony:call_detail", pk=call.pk)


@vary_on_headers("HX-Request")
@role_required(*ALL_ROLES)
@require_POST
def call_disposition(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    call = call_for_user(request.user, pk)
    form = WrapUpForm(request.POST, contact=call.contact)
    error = wrap_up_from_form(request, call, form, invalid="Choose a disposition.")
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or "Disposition saved.")
        return redirect("telephony:call_detail", pk=call.pk)
    context = _live_context(request, call)
    if error:
        context["form"] = form
    response = render(request, "telephony/call_detail.html#live", context)
    return toast(response, error or "Disposition saved.", "error" if error else "success")


@csrf_exempt  # providers cannot send our CSRF token; the URL token and signature stand in
@require_POST
def webhook_inbox(request: HttpRequest, token: str) -> HttpResponse:
    from django.conf import settings

    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.WEBHOOK_MAX_BODY_BYTES:
        return JsonResponse({"ok": False, "error": "body over 1 MB"}, status=413)
    try:
        result = inbox_receive(token=token, body=request.body, headers=dict(request.headers))
    except WebhookRejected as exc:
        return JsonResponse({"ok": False, "error": exc.reason}, status=exc.status)
    return JsonResponse({"ok": True, "stored": result.stored, "duplicates": result.duplicates})
