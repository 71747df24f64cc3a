from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect

from callcenter.services.roles import ADMIN, AGENT, SUPERVISOR, role_required, user_role
from callcenter.web.kit import HtmxHttpRequest


@role_required(ADMIN, SUPERVISOR, AGENT)
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Each role starts where it works: agents in their workspace, others on the wallboard."""
    if user_role(request.user) == AGENT:
        return redirect("telephony:workspace")
    return redirect("telephony:wallboard")


def live(request: HtmxHttpRequest) -> HttpResponse:
    """Liveness without touching the database (also the bare baseline of the benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")


def health(request: HtmxHttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
