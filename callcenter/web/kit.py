"""The kit every view uses: the htmx request type, toasts, the way back, the role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import trigger_client_event
from django_htmx.middleware import HtmxDetails

from callcenter.services.roles import user_role


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx's middleware leaves it (views are typed with this)."""

    htmx: HtmxDetails


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
