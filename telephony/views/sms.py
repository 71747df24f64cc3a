from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR, role_required
from callcenter.web.kit import HtmxHttpRequest
from contacts.selectors.contacts import contact_for_user
from telephony.models import ProviderAccount
from telephony.services.sms import sms_send


@role_required(ADMIN, SUPERVISOR, AGENT)
@require_POST
def contact_sms(request: HtmxHttpRequest, contact_pk: int) -> HttpResponse:
    contact = contact_for_user(request.user, contact_pk)
    account = get_object_or_404(ProviderAccount, pk=request.POST.get("account") or 0)
    try:
        sms_send(
            user=request.user,
            account=account,
            contact=contact,
            text=request.POST.get("text", ""),
            ip=client_ip(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Message sent to {contact.phone} via {account.name}.")
    return redirect("contacts:detail", pk=contact.pk)
