"""A provider account that fails every sync (bad token, bad URL) says so: each failed step
is counted with its message on the account page and the accounts list, and the wallboard
shows a banner after three failures in a row."""

import socket

import pytest
from django.urls import reverse

from callcenter.services.errors import ServiceError
from telephony.models import ProviderAccount
from telephony.providers.base import ProviderError
from telephony.services.accounts import account_create
from telephony.services.sync import account_sync
from tests.fakes.ivrsolutions import IVRSolutionsFake

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    server = IVRSolutionsFake(api_token="right", seed=1).start()
    yield server
    server.stop()


def _account(base_url: str, token: str) -> ProviderAccount:
    return account_create(
        actor=None,
        kind="ivrsolutions",
        name="IVR",
        credentials={"api_token": token},
        base_url=base_url,
    )


def _fail(account: ProviderAccount, what: str = "logs") -> str:
    with pytest.raises((ProviderError, ServiceError)) as caught:
        account_sync(account=account, what=what)
    return str(caught.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_bad_token_is_counted_and_shown_everywhere(fake, client, admin_user):
    account = _account(fake.url, "wrong")
    for _ in range(3):
        _fail(account)
    account.refresh_from_db()
    assert account.sync_failures == 3 and account.errors_count >= 3
    assert "rejected the API token" in account.last_sync_error
    assert account.last_sync_error.startswith("Sync of logs:")

    client.force_login(admin_user)
    detail = client.get(reverse("telephony:account_detail", args=[account.pk])).content.decode()
    assert "3 failed in a row" in detail and "rejected the API token" in detail
    listing = client.get(reverse("telephony:accounts")).content.decode()
    assert "3 failed in a row" in listing
    wallboard = client.get(reverse("telephony:wallboard")).content.decode()
    assert 'data-testid="sync-banner"' in wallboard and "IVR is not syncing" in wallboard


def test_a_bad_url_is_counted_and_two_failures_show_no_banner_yet(client, admin_user):
    account = _account(f"http://127.0.0.1:{_closed_port()}", "t")
    for _ in range(2):
        _fail(account)
    account.refresh_from_db()
    assert account.sync_failures == 2 and account.last_sync_error
    client.force_login(admin_user)
    wallboard = client.get(reverse("telephony:wallboard")).content.decode()
    assert 'data-testid="sync-banner"' not in wallboard


def test_a_step_that_succeeds_resets_the_run_of_failures(fake):
    account = _account(fake.url, "wrong")
    _fail(account)
    _fail(account)
    account.refresh_from_db()  # as the account page does before an admin fixes the token
    account.credentials = {"api_token": "right"}
    account.save()
    account_sync(account=account, what="logs")
    account.refresh_from_db()
    assert account.sync_failures == 0 and account.last_sync_at is not None
    assert account.last_sync_error  # the last failure stays readable
