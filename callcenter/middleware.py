import time

from django.conf import settings

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
