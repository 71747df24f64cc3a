"""Campaign views that answer htmx with a fragment say so in `Vary` (no cache, the back
button included, serves the results table for the page or the page for the table), and
the regions htmx swaps sit in wrappers that stay in the DOM and are announced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.fixture
def staff_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_campaign_detail_varies_for_page_and_results_fragment(staff_client, open_hours):
    campaign = make_campaign(lists=[make_list(phones(2, suffix="0001"))])
    staff_client.post(reverse("campaigns:action", args=[campaign.pk, "start"]))
    url = reverse("campaigns:detail", args=[campaign.pk])
    page = staff_client.get(url)
    fragment = staff_client.get(url, **HTMX)
    assert page.status_code == fragment.status_code == 200
    assert {"hx-request", "hx-target"} <= _vary(page)
    assert {"hx-request", "hx-target"} <= _vary(fragment)
    body = page.content.decode()
    assert "<html" in body and "<html" not in fragment.content.decode()
    # Both swapped regions (live status, results) sit inside a stable live wrapper.
    assert body.count('<div aria-live="polite">') == 2
    assert '<div id="campaign-live" aria-live' not in body


def test_campaign_action_varies_for_htmx_and_plain_posts(staff_client):
    campaign = make_campaign(lists=[make_list(phones(1))])
    url = reverse("campaigns:action", args=[campaign.pk, "pause"])
    assert "hx-request" in _vary(staff_client.post(url, HTTP_HX_REQUEST="true"))
    assert "hx-request" in _vary(staff_client.post(url))


def test_campaign_list_never_swaps_so_does_not_vary(staff_client):
    response = staff_client.get(reverse("campaigns:list"))
    assert response.status_code == 200
    assert "hx-request" not in _vary(response)


def test_tts_preview_wrapper_stays_and_is_live(staff_client):
    page = staff_client.get(reverse("tts:create")).content.decode()
    assert '<section class="card" aria-live="polite"' in page
    assert '<div id="preview">' in page
