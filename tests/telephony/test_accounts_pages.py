import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from telephony.models import ProviderAccount


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_account_pages_are_admin_only(client, supervisor, account):
    client.force_login(supervisor)
    for url in (
        reverse("telephony:accounts"),
        reverse("telephony:account_detail", args=[account.pk]),
    ):
        assert client.get(url).status_code == 404


def test_account_page_shows_webhook_url_health_and_capabilities(admin_client, account):
    html = admin_client.get(reverse("telephony:account_detail", args=[account.pk])).content.decode()
    assert f"http://testserver{account.webhook_path}" in html
    assert 'data-testid="breaker"' in html and "Closed" in html
    assert "Click-to-call" in html and "Supported" in html
    assert "Tts call" not in html and "TTS calls" in html  # labels, not codes
    assert "keeps no call log" in html  # a missing capability is explained, not hidden
    assert account.webhook_secrets[0] not in html


def test_connection_test_over_htmx_updates_health_and_toasts(admin_client, account):
    resp = admin_client.post(
        reverse("telephony:account_action", args=[account.pk, "test"]),
        headers={"HX-Request": "true"},
    )
    assert "Sandbox ready" in resp.content.decode() and "toast" in resp.headers["HX-Trigger"]
    account.refresh_from_db()
    assert account.last_test_ok is True
    assert AuditEntry.objects.filter(action="account.test").exists()


def test_rotating_the_secret_keeps_the_previous_one_valid(admin_client, account):
    old = account.webhook_secrets[0]
    admin_client.post(reverse("telephony:account_action", args=[account.pk, "rotate"]))
    account.refresh_from_db()
    assert account.webhook_secrets[1] == old and account.webhook_secrets[0] != old


def test_creating_an_account_stores_credentials_encrypted_and_never_shows_them(admin_client):
    resp = admin_client.post(
        reverse("telephony:account_create"),
        {
            "kind": "sandbox",
            "name": "Second",
            "default_region": "IN",
            "calls_per_second": 3,
            "requests_per_minute": 100,
            "concurrency_limit": 4,
            "enabled": "on",
        },
    )
    assert resp.status_code == 302
    account = ProviderAccount.objects.get(name="Second")
    assert account.calls_per_second == 3 and account.concurrency_limit == 4
    edit = admin_client.get(reverse("telephony:account_edit", args=[account.pk])).content.decode()
    assert "Sandbox (simulated) needs no credentials" in edit
    assert not any(f'name="cred_{kind}_' in edit for kind in ("ivrsolutions", "callkaro"))
    assert 'value="sk-' not in edit


def test_unknown_action_is_404_and_get_is_refused(admin_client, account):
    assert (
        admin_client.post(
            reverse("telephony:account_action", args=[account.pk, "explode"])
        ).status_code
        == 404
    )
    assert (
        admin_client.get(reverse("telephony:account_action", args=[account.pk, "test"])).status_code
        == 405
    )
