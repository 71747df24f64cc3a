"""Campaign pages: list, create/edit, detail (preview, live progress, health, results),
start/pause/resume/stop, CSV export and the campaign's own do-not-call list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.services.audit import client_ip
from callcenter.services.errors import ServiceError
from callcenter.services.roles import STAFF, role_required
from callcenter.web.csv import csv_response
from callcenter.web.kit import HtmxHttpRequest, toast
from campaigns import services
from campaigns.dialer.checks import SKIP_REASONS
from campaigns.dialer.hosted import hosted_settle_create
from campaigns.forms.campaigns import CampaignForm
from campaigns.models import Campaign, CampaignDNCEntry, CampaignEntry
from campaigns.selectors.campaigns import (
    OUTCOME_LABELS,
    campaign_export_rows,
    campaign_preview,
    campaign_progress,
    campaign_results,
)

PER_PAGE = 50
ACTIONS = {
    "start": (services.campaign_start, "Campaign started."),
    "pause": (services.campaign_pause, "Campaign paused: no new calls are placed."),
    "resume": (services.campaign_resume, "Campaign resumed."),
    "stop": (services.campaign_stop, "Campaign stopped."),
}


def _campaign(pk: int) -> Campaign:
    # Campaigns belong to the call center, not to one user: staff see them all.
    return get_object_or_404(
        Campaign.objects.select_related("account", "did", "tts_template"), pk=pk
    )


@role_required(*STAFF)
def campaign_list(request: HtmxHttpRequest) -> HttpResponse:
    campaigns = list(Campaign.objects.select_related("account").order_by("-created_at")[:200])
    rows = [(c, campaign_progress(c)) for c in campaigns]
    return render(request, "campaigns/campaign_list.html", {"rows": rows})


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    campaign = _campaign(pk) if pk else Campaign()
    if pk and campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PAUSED):
        messages.error(request, "Pause the campaign before editing it.")
        return redirect("campaigns:detail", pk=campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.campaign_save(
                user=request.user,
                campaign=form.save(commit=False),
                lists=list(form.cleaned_data["lists"]),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("campaigns:detail", pk=saved.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _results_context(request: HtmxHttpRequest, campaign: Campaign) -> dict:
    state = request.GET.get("state", "")
    outcome = request.GET.get("outcome", "")
    query = request.GET.get("q", "")
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    qs = campaign_results(campaign, state=state, outcome=outcome, query=query)
    # One row past the page tells whether there is a next page: no COUNT(*).
    rows = list(qs[(number - 1) * PER_PAGE : number * PER_PAGE + 1])
    return {
        "campaign": campaign,
        "rows": rows[:PER_PAGE],
        "page": number,
        "has_next": len(rows) > PER_PAGE,
        "filters": {"state": state, "outcome": outcome, "q": query},
        "state_choices": CampaignEntry.State.choices,
        "outcome_choices": list(OUTCOME_LABELS.items()),
        "skip_reasons": SKIP_REASONS,
    }


# The results filter and its poll get the table alone (HX-Target "results"), the page
# is whole otherwise: a cache must key on both headers.
@vary_on_headers("HX-Request", "HX-Target")
@role_required(*STAFF)
def campaign_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.htmx and request.htmx.target == "results":
        return render(
            request, "campaigns/campaign_detail.html#results", _results_context(request, campaign)
        )
    context = _results_context(request, campaign)
    context["progress"] = campaign_progress(campaign)
    if campaign.status == Campaign.Status.DRAFT:
        context["preview"] = campaign_preview(campaign)
    return render(request, "campaigns/campaign_detail.html", context)


@role_required(*STAFF)
def campaign_live(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The live region: status, buttons, progress bar, counters and health (polled)."""
    campaign = _campaign(pk)
    context = {"campaign": campaign, "progress": campaign_progress(campaign)}
    return render(request, "campaigns/campaign_detail.html#live", context)


@vary_on_headers("HX-Request")
@role_required(*STAFF)
@require_POST
def campaign_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _campaign(pk)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    service, done = ACTIONS[action]
    error = None
    try:
        campaign = service(user=request.user, campaign=campaign, ip=client_ip(request))
    except ServiceError as exc:
        error = exc.message
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or done)
        return redirect("campaigns:detail", pk=pk)
    campaign = _campaign(pk)
    context = {"campaign": campaign, "progress": campaign_progress(campaign)}
    response = render(request, "campaigns/campaign_detail.html#live", context)
    if action == "start" and not error:
        # The preview and the draft-only parts of the page are gone: reload it whole.
        response["HX-Refresh"] = "true"
    return toast(response, error or done, "error" if error else "success")


@role_required(*STAFF)
@require_POST
def campaign_hosted_settle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A person settles a hosted create whose outcome is unknown (see hosted.py)."""
    campaign = _campaign(pk)
    exists = request.POST.get("exists") == "1"
    provider_id = request.POST.get("provider_id", "").strip()
    if exists and not provider_id:
        messages.error(request, "Give the provider's campaign id, as its portal shows it.")
        return redirect("campaigns:detail", pk=pk)
    try:
        hosted_settle_create(
            campaign=campaign,
            actor=request.user,
            provider_id=provider_id if exists else "",
            ip=client_ip(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Using the provider's campaign {provider_id}; its results will sync here."
            if exists
            else "Settled as not created: the next pass creates it at the provider.",
        )
    return redirect("campaigns:detail", pk=pk)


@role_required(*STAFF)
def campaign_export(request: HtmxHttpRequest, pk: int) -> StreamingHttpResponse:
    campaign = _campaign(pk)
    qs = campaign_results(
        campaign,
        state=request.GET.get("state", ""),
        outcome=request.GET.get("outcome", ""),
        query=request.GET.get("q", ""),
    )
    return csv_response(campaign_export_rows(qs), filename=f"campaign-{campaign.pk}-results.csv")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def campaign_dnc(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    if request.method == "POST":
        numbers = request.POST.get("numbers", "").replace(",", "\n").splitlines()
        try:
            added, invalid = services.campaign_dnc_add(
                user=request.user,
                campaign=campaign,
                numbers=numbers,
                reason=request.POST.get("reason", ""),
                region=campaign.account.default_region,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Added {added} numbers.")
            if invalid:
                messages.error(request, f"Not phone numbers: {', '.join(invalid[:10])}")
        return redirect("campaigns:dnc", pk=pk)
    entries = list(campaign.dnc_entries.order_by("-created_at")[:500])
    return render(
        request, "campaigns/campaign_dnc.html", {"campaign": campaign, "entries": entries}
    )


@role_required(*STAFF)
@require_POST
def campaign_dnc_remove(request: HtmxHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = get_object_or_404(CampaignDNCEntry, pk=entry_pk, campaign_id=pk)
    services.campaign_dnc_remove(user=request.user, entry=entry, ip=client_ip(request))
    messages.success(request, f"Removed {entry.phone}.")
    return redirect("campaigns:dnc", pk=pk)
