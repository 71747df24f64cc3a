"""Campaign, import and DNC pages: roles, forms, htmx fragments, CSV export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Campaign, CampaignDNCEntry
from contacts.imports.importer import import_run
from contacts.models import ContactList, DNCEntry, ImportJob
from tests import factories
from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_agents_cannot_see_campaigns_imports_or_dnc(client):
    client.force_login(factories.make_user("agent"))
    for name in ("campaigns:list", "campaigns:create", "contacts:lists", "contacts:dnc"):
        assert client.get(reverse(name)).status_code == 404


def test_supervisor_creates_a_campaign_and_sees_the_preview(staff_client, open_hours):
    account = factories.make_account()
    did = factories.make_did(account)
    numbers = phones(4, suffix="0001")
    contact_list = make_list(numbers)
    DNCEntry.objects.create(phone=numbers[0])
    template = make_campaign(account=account).tts_template
    response = staff_client.post(
        reverse("campaigns:create"),
        {
            "name": "Spring renewals",
            "lists": [contact_list.pk],
            "account": account.pk,
            "did": did.pk,
            "content": "tts",
            "tts_template": template.pk,
            "execution": "local",
            "window_start": "10:00",
            "window_end": "19:00",
            "weekdays": ["0", "1", "2", "3", "4"],
            "time_zone_mode": "contact",
            "time_zone": "Asia/Kolkata",
            "carry_over": "on",
            "number_of_retries": "2",
            "gap_between_retries": "10, 60",
            "retry_on": ["busy", "no_answer"],
            "priority": "10",
            "no_of_call": "3",
        },
    )
    campaign = Campaign.objects.get(name="Spring renewals")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert campaign.gap_between_retries == [10, 60] and campaign.weekdays == [0, 1, 2, 3, 4]
    page = staff_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "3</strong> of 4 contacts will be called" in page
    assert "On the do-not-call list: 1" in page


def test_campaign_form_refuses_a_window_that_ends_before_it_starts(staff_client):
    account = factories.make_account()
    response = staff_client.post(
        reverse("campaigns:create"),
        {"name": "x", "account": account.pk, "window_start": "18:00", "window_end": "09:00"},
    )
    assert "The window must end after it starts." in response.content.decode()
    assert not Campaign.objects.filter(name="x").exists()


def test_start_by_htmx_returns_the_live_region_with_a_toast(staff_client, open_hours):
    campaign = make_campaign(lists=[make_list(phones(2, suffix="0001"))])
    url = reverse("campaigns:action", args=[campaign.pk, "start"])
    response = staff_client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="campaign-live"' in response.content.decode()
    assert "Campaign started" in response["HX-Trigger"]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.RUNNING


def test_actions_are_post_only_and_refusals_are_explained(staff_client):
    campaign = make_campaign(lists=[make_list(phones(1))])
    url = reverse("campaigns:action", args=[campaign.pk, "pause"])
    assert staff_client.get(url).status_code == 405
    response = staff_client.post(url, HTTP_HX_REQUEST="true")
    assert "A draft campaign cannot be paused." in response["HX-Trigger"]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_export_is_csv_with_the_results(staff_client, open_hours):
    campaign = make_campaign(lists=[make_list(phones(3, suffix="0001"))])
    staff_client.post(reverse("campaigns:action", args=[campaign.pk, "start"]))
    response = staff_client.get(reverse("campaigns:export", args=[campaign.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("name,phone,state,outcome") and len(lines) == 4


def test_results_filter_returns_only_the_table_for_htmx(staff_client, open_hours):
    campaign = make_campaign(lists=[make_list(phones(3, suffix="0001"))])
    staff_client.post(reverse("campaigns:action", args=[campaign.pk, "start"]))
    response = staff_client.get(
        reverse("campaigns:detail", args=[campaign.pk]) + "?state=pending",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    body = response.content.decode()
    assert (
        body.strip().startswith('<div id="results"') and body.count('data-testid="result-row"') == 3
    )


def test_results_table_polls_while_running_keeping_filters_and_page(staff_client, open_hours):
    campaign = make_campaign(lists=[make_list(phones(3, suffix="0001"))])
    staff_client.post(reverse("campaigns:action", args=[campaign.pk, "start"]))
    url = reverse("campaigns:detail", args=[campaign.pk])
    page = staff_client.get(url + "?state=pending&q=Asha%20K&page=2").content.decode()
    assert 'data-testid="results-live"' in page and 'hx-trigger="every 5s"' in page
    assert f"{url}?state=pending&amp;outcome=&amp;q=Asha%20K&amp;page=2" in page
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.COMPLETED)
    assert 'data-testid="results-live"' not in staff_client.get(url).content.decode()


def test_import_upload_map_and_run(staff_client):
    upload = SimpleUploadedFile("leads.csv", b"Mobile,Name,plan\n9876500001,Asha,gold\n")
    response = staff_client.post(
        reverse("contacts:import_upload"),
        {
            "new_list": "Leads",
            "file": upload,
            "default_region": "IN",
            "default_time_zone": "Asia/Kolkata",
            "duplicates": "skip",
        },
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("contacts:import", args=[job.pk])
    page = staff_client.get(response.url).content.decode()
    assert "Asha" in page and 'data-testid="preview-row"' in page
    staff_client.post(response.url, {"role-0": "phone", "role-1": "name", "role-2": "variable"})
    job.refresh_from_db()
    assert job.status == "queued"
    import_run(job_id=job.pk)
    fragment = staff_client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-created">1<' in fragment
    assert ContactList.objects.get(name="Leads").contacts.get().variables == {"plan": "gold"}


def test_global_and_campaign_dnc_pages(staff_client, supervisor, client):
    staff_client.post(reverse("contacts:dnc"), {"numbers": "98765 00001\nnot a number"})
    entry = DNCEntry.objects.get()
    assert entry.phone == "+919876500001" and entry.created_by == supervisor
    # Supervisors add; only admins remove.
    assert staff_client.post(reverse("contacts:dnc_remove", args=[entry.pk])).status_code == 404
    campaign = make_campaign(lists=[make_list(phones(1))])
    staff_client.post(reverse("campaigns:dnc", args=[campaign.pk]), {"numbers": "9876500002"})
    assert CampaignDNCEntry.objects.get(campaign=campaign).phone == "+919876500002"
    client.force_login(factories.make_user("admin", is_staff=True))
    client.post(reverse("contacts:dnc_remove", args=[entry.pk]))
    assert not DNCEntry.objects.exists()
