"""The calls log: filters, keyset pages, and a CSV export safe to open in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from callcenter.services.roles import ADMIN, ALL_ROLES, SUPERVISOR, role_required, user_role
from callcenter.web.csv import csv_response
from callcenter.web.kit import HtmxHttpRequest
from callcenter.web.pager import keyset_page
from campaigns.models import Campaign
from common.csvsafe import csv_safe
from telephony.forms.dashboard import CallFilterForm
from telephony.models import Agent, Call
from telephony.selectors.calls import calls_visible_to

CSV_COLUMNS = (
    ("id", "Call id"),
    ("created_at", "Created (UTC)"),
    ("call_type", "Type"),
    ("direction", "Direction"),
    ("status", "Status"),
    ("from_number", "From"),
    ("to_number", "To"),
    ("did_number", "DID"),
    ("agent", "Agent"),
    ("contact", "Contact"),
    ("account", "Provider"),
    ("duration_seconds", "Duration (s)"),
    ("disposition", "Disposition"),
    ("note", "Note"),
    ("dtmf", "DTMF"),
)


def _filter_form(request: HtmxHttpRequest) -> CallFilterForm:
    staff = user_role(request.user) in (ADMIN, SUPERVISOR)
    agents = Agent.objects.select_related("user").order_by("user__username") if staff else ()
    campaigns = Campaign.objects.only("id", "name").order_by("name")
    return CallFilterForm(request.GET or None, agents=agents, campaigns=campaigns)


def filtered_calls(request: HtmxHttpRequest, form: CallFilterForm) -> QuerySet[Call]:
    qs = calls_visible_to(request.user)
    if not form.is_bound or not form.is_valid():
        return qs
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        qs = qs.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data["date_to"]:
        end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
        qs = qs.filter(created_at__lt=end)
    for field, lookup in (
        ("call_type", "call_type"),
        ("status", "status"),
        ("agent", "agent_id"),
        ("account", "account_id"),
        ("disposition", "disposition_id"),
        # CampaignAttempt.call points at the call; telephony's model knows nothing of it.
        ("campaign", "campaignattempt__entry__campaign_id"),
    ):
        if data.get(field) not in (None, ""):
            qs = qs.filter(**{lookup: data[field]})
    return qs


@vary_on_headers("HX-Request")
@role_required(*ALL_ROLES)
def call_log(request: HtmxHttpRequest) -> HttpResponse:
    form = _filter_form(request)
    page = keyset_page(filtered_calls(request, form), request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"form": form, "page": page, "calls": page["rows"], "query": query.urlencode()}
    template = "telephony/call_list.html#results" if request.htmx else "telephony/call_list.html"
    return render(request, template, context)


def _csv_rows(qs: QuerySet[Call]) -> Iterator[list[str]]:
    yield [label for _, label in CSV_COLUMNS]
    for call in qs.order_by("-created_at", "-id").iterator(chunk_size=2000):
        values = {
            "id": call.pk,
            "created_at": call.created_at.astimezone(UTC).isoformat(timespec="seconds"),
            "call_type": call.call_type,
            "direction": call.direction,
            "status": call.status,
            "from_number": call.from_number,
            "to_number": call.to_number,
            "did_number": call.did_number,
            "agent": call.agent.user.get_username() if call.agent else "",
            "contact": call.contact.name if call.contact else "",
            "account": call.account.name,
            "duration_seconds": call.duration_seconds,
            "disposition": call.disposition.label if call.disposition else "",
            "note": call.note,
            "dtmf": call.dtmf,
        }
        yield [csv_safe(values[key]) for key, _ in CSV_COLUMNS]


@role_required(*ALL_ROLES)
def call_export(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """Streams every matching row (the same filters as the log), never held in memory."""
    qs = filtered_calls(request, _filter_form(request))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(_csv_rows(qs), filename=f"calls-{stamp}.csv")
