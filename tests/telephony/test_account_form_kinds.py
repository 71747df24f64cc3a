"""The account form asks for the chosen provider's credentials, by the names its doc uses."""

import pytest
from django.urls import reverse

from telephony.models import ProviderAccount
from telephony.services.accounts import account_create


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


SETTINGS = {
    "default_region": "IN",
    "calls_per_second": 3,
    "requests_per_minute": 100,
    "concurrency_limit": 4,
    "enabled": "on",
}


def test_new_account_form_groups_credentials_per_kind_with_doc_names(admin_client):
    html = admin_client.get(reverse("telephony:account_create")).content.decode()
    for kind in ("ivrsolutions", "callkaro", "callmatic", "robotalker", "outboundcalls"):
        assert f'data-credentials-for="{kind}"' in html
    assert "API token" in html and "Settings → API token" in html  # IVR Solutions' doc
    assert "Campaign ID (campaignId)" in html and "X-API-KEY" in html
    # Ids and settings are typed in the clear; only secrets are password inputs.
    assert 'type="text" name="cred_callkaro_agent_id"' in html
    assert 'type="password" name="cred_callkaro_api_key"' in html
    assert 'type="text" name="cred_ivrsolutions_wss_url"' in html


def test_only_the_chosen_kinds_credentials_are_saved(admin_client, db):
    resp = admin_client.post(
        reverse("telephony:account_create"),
        {
            **SETTINGS,
            "kind": "callkaro",
            "name": "CK",
            "cred_callkaro_api_key": "ck-key",
            "cred_callkaro_agent_id": "agent-7",
            "cred_callmatic_api_key": "typed for another kind",
        },
    )
    assert resp.status_code == 302
    assert ProviderAccount.objects.get(name="CK").credentials == {
        "api_key": "ck-key",
        "agent_id": "agent-7",
    }


def test_missing_credentials_are_named_as_the_doc_names_them_all_at_once(admin_client, db):
    resp = admin_client.post(
        reverse("telephony:account_create"), {**SETTINGS, "kind": "callmatic", "name": "CM"}
    )
    html = resp.content.decode()
    assert "Callmatic needs its API key (apiKey)." in html
    assert "Callmatic needs its Campaign ID (campaignId)." in html
    assert not ProviderAccount.objects.filter(name="CM").exists()


def test_editing_shows_only_the_accounts_own_kind_and_keeps_blank_credentials(admin_client, db):
    account = account_create(
        actor=None, kind="robotalker", name="RT", credentials={"api_key": "rt-secret"}
    )
    url = reverse("telephony:account_edit", args=[account.pk])
    html = admin_client.get(url).content.decode()
    assert 'data-credentials-for="robotalker"' in html
    assert 'data-credentials-for="ivrsolutions"' not in html and "rt-secret" not in html
    admin_client.post(url, {**SETTINGS, "name": "RT", "cred_robotalker_voice": "en-IN-A"})
    account.refresh_from_db()
    assert account.credentials == {"api_key": "rt-secret", "voice": "en-IN-A"}
