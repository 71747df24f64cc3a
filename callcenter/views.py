from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from callcenter.roles import ADMIN, AGENT, SUPERVISOR, role_required
from telephony.models import Agent
from telephony.selectors import calls_visible_to


@role_required(ADMIN, SUPERVISOR, AGENT)
def home(request: HttpRequest) -> HttpResponse:
    agent = Agent.objects.filter(user=request.user).select_related("user").first()
    recent = list(calls_visible_to(request.user).order_by("-created_at", "-id")[:10])
    return render(request, "home.html", {"agent": agent, "recent_calls": recent})


def live(request: HttpRequest) -> HttpResponse:
    """Liveness without touching the database (also the bare baseline of the benchmarks)."""
    return HttpResponse("ok", content_type="text/plain")


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
