"""Views that answer an htmx request with a fragment say so in `Vary`, so no cache (the
browser's back button included) serves a fragment for a page or a page for a fragment; and
the regions htmx swaps sit inside a wrapper that stays in the DOM and is announced."""

import pytest
from django.urls import reverse

from telephony.models import MaskedSession
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "name",
    ["telephony:calls", "contacts:list", "audit", "telephony:did_search"],
)
def test_lists_vary_on_hx_request_for_page_and_fragment(admin_client, name):
    page = admin_client.get(reverse(name))
    fragment = admin_client.get(reverse(name), **HTMX)
    assert page.status_code == fragment.status_code == 200
    assert "hx-request" in _vary(page)
    assert "hx-request" in _vary(fragment)
    # The page carries the stable live wrapper; the fragment is only the swapped region.
    assert 'aria-live="polite"' in page.content.decode()
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()


def test_account_health_varies_and_its_wrapper_is_live(admin_client, account):
    url = reverse("telephony:account_detail", args=[account.pk])
    page = admin_client.get(url)
    assert "hx-request" in _vary(page)
    assert "hx-request" in _vary(admin_client.get(url, **HTMX))
    assert '<div aria-live="polite">' in page.content.decode()


def test_masked_session_page_varies(admin_client, account, contact):
    session = MaskedSession.objects.create(
        account=account,
        did=factories.make_did(account),
        party_a="+919876500010",
        party_b=contact.phone,
    )
    url = reverse("telephony:masked_detail", args=[session.pk])
    assert "hx-request" in _vary(admin_client.get(url))
    assert "hx-request" in _vary(admin_client.get(url, **HTMX))


def test_a_view_that_never_swaps_does_not_vary(admin_client):
    # The dispositions page renders the same for htmx and plain requests.
    response = admin_client.get(reverse("telephony:dispositions"))
    assert "hx-request" not in _vary(response)
