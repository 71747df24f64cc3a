"""The live screens' event streams (telephony.services.live_feed): `moved` when what the
screen shows changed, so it fetches its fragment; nothing while nothing moves."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, StreamingHttpResponse

from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR, role_required
from callcenter.web.kit import HtmxHttpRequest
from telephony.services.live import workspace_stamps
from telephony.services.live_feed import FEED, WALLBOARD, stream


def _event_stream(key: int | str, seen: object) -> StreamingHttpResponse:
    subscription = FEED.subscribe(key, seen)
    response = StreamingHttpResponse(
        stream(subscription, seconds=settings.LIVE_STREAM_SECONDS, feed=FEED),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@role_required(AGENT)
def workspace_events(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """`?v=` and `?c=` are the stamps the page was drawn from (its status and, while it is
    live, its call card): a change since then is pushed at once. Its callbacks are
    watched from the first read on."""
    if workspace_stamps(request.user.pk) is None:
        raise Http404("You are not set up as an agent")
    seen = (request.GET.get("v"), request.GET.get("c"), None)
    return _event_stream(request.user.pk, seen)


@role_required(ADMIN, SUPERVISOR)
def wallboard_events(request: HtmxHttpRequest) -> StreamingHttpResponse:
    return _event_stream(WALLBOARD, request.GET.get("v"))
