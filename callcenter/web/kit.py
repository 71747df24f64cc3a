"""Small helpers the dashboard's views share."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import trigger_client_event

from callcenter.services.roles import user_role


def toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    return trigger_client_event(response, "toast", {"message": message, "level": level})


def back(request: HttpRequest, fallback: str, *args: object) -> HttpResponse:
    """Where a non-htmx POST returns to: the page it came from, when that is ours."""
    referer = request.headers.get("referer", "")
    host = request.get_host()
    if referer and (
        referer.startswith(f"http://{host}/") or referer.startswith(f"https://{host}/")
    ):
        return redirect(referer)
    return redirect(fallback, *args)


def role(request: HttpRequest) -> str | None:
    return user_role(request.user)


def keyset_page(qs, cursor: str, *, per_page: int = 50, field: str = "created_at") -> dict:
    """Page by (`field`, id) after `cursor`: no OFFSET, no COUNT(*), any table size."""
    if cursor:
        try:
            stamp, pk = cursor.rsplit("_", 1)
            at = datetime.fromisoformat(stamp)
            qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "id__lt": int(pk)}))
        except ValueError:
            cursor = ""
    rows = list(qs.order_by(f"-{field}", "-id")[: per_page + 1])
    last = rows[per_page - 1] if len(rows) > per_page else None
    return {
        "rows": rows[:per_page],
        "next_cursor": f"{getattr(last, field).isoformat()}_{last.pk}" if last else "",
        "is_first": not cursor,
    }


def wrap_up_from_form(request: HttpRequest, call, form, *, invalid: str) -> str | None:
    """Save a wrap-up (disposition, note, callback) from a bound WrapUpForm.

    Returns the error to show, or None; a service refusal is attached to its field.
    """
    from callcenter.services.audit import client_ip
    from callcenter.services.errors import ServiceError
    from telephony.services.callbacks import call_wrap_up

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
