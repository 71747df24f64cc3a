"""CSRF on every POST: each URL in the URLconf, posted (as htmx does) without a token by a
logged-in admin, answers 403 and changes nothing; only the provider inbox is exempt."""

import re

import pytest
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import reverse

from contacts.models import DNCEntry
from tests.campaigns.factories import make_campaign, make_list
from tests.dashboard.test_role_matrix import _named_patterns, _world

# Providers cannot send our token: the inbox is guarded by its URL token and signature.
EXEMPT = {"webhook_inbox"}
ADMIN_URLS = [
    "/admin/callcenter/auditentry/",  # the changelist's "delete selected" action
    "/admin/callcenter/auditentry/1/change/",
    "/admin/callcenter/auditentry/1/delete/",
    "/admin/contacts/contact/add/",
    "/admin/telephony/provideraccount/1/change/",
    "/admin/auth/user/1/password/",
    "/admin/logout/",
]


def _snapshot() -> str:
    """Every row of every table but sessions, serialised: any write shows up as a diff."""
    models = [m for m in apps.get_models() if m._meta.label != "sessions.Session"]
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in models)


@pytest.fixture
def world(account):
    agent, ids = _world(account)
    campaign = make_campaign(account=account, lists=[make_list(["+919876500011"])])
    entry = campaign.dnc_entries.create(phone="+919876500012")
    for name in ("detail", "edit", "live", "export", "dnc", "action"):
        ids[f"campaigns:{name}"] = campaign.pk
    ids["campaigns:dnc_remove"] = {"pk": campaign.pk, "entry_pk": entry.pk}
    ids["contacts:dnc_remove"] = DNCEntry.objects.create(phone="+919876500013").pk
    return agent, ids


def _url(name, converters, ids, fallback):
    value = ids.get(name, fallback)
    kwargs = {}
    for key, conv in converters.items():
        if type(conv).__name__ == "IntConverter":
            kwargs[key] = value[key] if isinstance(value, dict) else value
        else:
            kwargs[key] = "start" if name == "campaigns:action" else "test"
    return reverse(name, kwargs=kwargs)


def test_every_post_without_a_token_is_refused_and_changes_nothing(admin_user, account, world):
    _, ids = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    urls = [(n, _url(n, c, ids, account.pk)) for n, c in _named_patterns()]
    urls += [(url, url) for url in ADMIN_URLS]
    before = _snapshot()
    accepted = []
    for name, url in urls:
        response = client.post(
            url,
            {"confirm": "erase", "action": "delete_selected", "_selected_action": ["1"]},
            headers={"HX-Request": "true"},
        )
        if response.status_code != 403:
            accepted.append((name, url, response.status_code))
    assert {name for name, _, _ in accepted} == EXEMPT, accepted
    assert _snapshot() == before
    assert len(urls) > 60  # the walk really covered the URLconf


def test_the_token_htmx_sends_from_the_body_is_accepted(admin_user, contact):
    """The control: a POST carrying the page's `hx-headers` token goes through."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    token = re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page).group(1)
    response = client.post(
        reverse("contacts:mark_dnc", args=[contact.pk]),
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302
    assert DNCEntry.objects.filter(phone=contact.phone).exists()
