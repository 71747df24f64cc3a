import time

from django.conf import settings

from callcenter.services.audit import from_trusted_proxy

REFRESH_EVERY = 300  # seconds


class IdleSessionRefreshMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE of inactivity.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) would cost a database
    write per page view and per htmx poll; touching it at most every five minutes gives
    the same inactivity expiry, give or take those five minutes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("_touched", 0) > min(REFRESH_EVERY, settings.SESSION_COOKIE_AGE):
                session["_touched"] = now
        return self.get_response(request)


class ProxyHeadersMiddleware:
    """Drop X-Forwarded-* headers unless the peer is a configured proxy.

    Django believes `X-Forwarded-Proto` (SECURE_PROXY_SSL_HEADER) from whoever sends it; a
    client reaching gunicorn directly could then pass as HTTPS. First in the chain, so
    nothing after it ever sees a header a configured proxy did not set.
    """

    HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not from_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in self.HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
