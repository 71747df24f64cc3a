"""The webhook URL shown and printed is where this site really answers."""

import subprocess
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from telephony.models import ProviderAccount

ROOT = Path(__file__).resolve().parents[2]


def _page(client, account, host):
    url = reverse("telephony:account_detail", args=[account.pk])
    return client.get(url, HTTP_HOST=host).content.decode()


def test_account_page_shows_the_address_it_was_served_on_unless_public_base_url(
    client, admin_user, account, settings
):
    settings.PUBLIC_BASE_URL = ""
    client.force_login(admin_user)
    html = _page(client, account, "127.0.0.1:8765")
    assert f'value="http://127.0.0.1:8765{account.webhook_path}"' in html
    assert "127.0.0.1:8000" not in html
    settings.PUBLIC_BASE_URL = "https://calls.example.com"  # set: it wins over the request
    html = _page(client, account, "127.0.0.1:8765")
    assert f'value="https://calls.example.com{account.webhook_path}"' in html


def test_provider_account_add_prints_public_base_url_or_says_what_it_assumes(db, settings):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8080"
    out = StringIO()
    call_command("provider_account", "add", "--kind", "sandbox", "--name", "A", stdout=out)
    token = ProviderAccount.objects.get(name="A").webhook_token
    assert f"Webhook URL: http://127.0.0.1:8080/webhooks/{token}/" in out.getvalue()
    assert "PUBLIC_BASE_URL is not set" not in out.getvalue()
    settings.PUBLIC_BASE_URL = ""
    out = StringIO()
    call_command("provider_account", "add", "--kind", "sandbox", "--name", "B", stdout=out)
    assert "PUBLIC_BASE_URL is not set" in out.getvalue()


def _make_url(*args: str) -> str:
    # The Makefile's own variable, exported to a recipe exactly as `run` exports it.
    probe = (
        "include Makefile\n"
        "probe: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)\n"
        "probe: ; @echo $$PUBLIC_BASE_URL\n"
    )
    result = subprocess.run(
        ["make", "-s", "-f", "-", "probe", *args],
        input=probe,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return result.stdout.strip()


def test_make_run_sets_public_base_url_from_host_and_port():
    assert _make_url("PORT=8123") == "http://127.0.0.1:8123"
    assert _make_url("HOST=0.0.0.0") == ""  # no single right address: pages use the request
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export PUBLIC_BASE_URL := $(PUBLIC_BASE_URL)" in makefile
