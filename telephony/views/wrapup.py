"""The wrap-up form's save, shared by the call page and the agent workspace."""

from __future__ import annotations

from django.http import HttpRequest

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from telephony.services.callbacks import call_wrap_up


def wrap_up_from_form(request: HttpRequest, call, form, *, invalid: str) -> str | None:
    """Save a wrap-up (disposition, note, callback) from a bound WrapUpForm.

    Returns the error to show, or None; a service refusal is attached to its field.
    """
    if not form.is_valid():
        return invalid
    try:
        call_wrap_up(
            user=request.user,
            call=call,
            disposition=form.cleaned_data["disposition"],
            note=form.cleaned_data["note"],
            callback_at=form.cleaned_data["callback_at"],
            callback_for_anyone=form.cleaned_data["callback_for_anyone"],
            ip=client_ip(request),
        )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return exc.message
    return None
