"""A provider base URL receives our credentials: http(s) only, canonical, and on a public
address unless PROVIDER_ALLOW_PRIVATE_URLS is set (issue 18.11); the password help text
says what the validators check."""

import pytest
from django.urls import reverse

from telephony.forms.accounts import base_url_problem
from telephony.forms.dashboard import AgentCreateForm
from telephony.models import ProviderAccount


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.example.com/v1",
        "file:///etc/passwd",
        "gopher://api.example.com/",
        "http://user:pw@api.example.com/",
        "http://api.example.com\\@127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://[fe80::1]/",
        "http://127.0.0.1:9555",
        "http://10.0.0.5/api",
        "http://192.168.1.10/",
        "http://[::1]:8000/",
        "http://0.0.0.0/",
        "http://localhost:8000/",
        "http://metadata.google.internal/",
        "http://2130706433/",
    ],
)
def test_base_urls_that_are_refused_in_production(settings, url):
    settings.PROVIDER_ALLOW_PRIVATE_URLS = False
    assert base_url_problem(url)


@pytest.mark.parametrize(
    "url", ["https://api.ivrsolutions.in/api", "https://api.callmatic.ai", "http://8.8.8.8/v1"]
)
def test_public_https_base_urls_are_accepted(settings, url):
    settings.PROVIDER_ALLOW_PRIVATE_URLS = False
    assert base_url_problem(url) is None


def test_the_setting_allows_local_fakes_but_never_other_schemes(settings):
    settings.PROVIDER_ALLOW_PRIVATE_URLS = True
    assert base_url_problem("http://127.0.0.1:9555") is None
    assert base_url_problem("ftp://127.0.0.1/")


def test_the_account_form_refuses_a_link_local_base_url(client, admin_user, settings):
    settings.PROVIDER_ALLOW_PRIVATE_URLS = False
    client.force_login(admin_user)
    response = client.post(
        reverse("telephony:account_create"),
        {
            "kind": "sandbox",
            "name": "Metadata",
            "base_url": "http://169.254.169.254/latest/",
            "default_region": "IN",
            "calls_per_second": 3,
            "requests_per_minute": 100,
            "concurrency_limit": 4,
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "link-local" in response.content.decode()
    assert not ProviderAccount.objects.filter(name="Metadata").exists()


def test_password_help_text_says_what_is_enforced():
    help_text = AgentCreateForm().fields["password"].help_text
    assert "12 characters" in help_text and "8 characters" not in help_text
