"""Provider secrets stay out of database dumps and survive key rotation; the audit log
cannot be changed or deleted through any view or the admin."""

import io
import json
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from callcenter.models import AuditEntry
from telephony.models import ProviderAccount
from telephony.providers.sandbox.adapter import sign
from telephony.services.accounts import account_config
from tests import factories

API_KEY = "sk-live-9f8e7d6c5b4a-very-secret"
OLD_KEY, NEW_KEY = "old-credentials-key-0123456789", "new-credentials-key-9876543210"


@pytest.fixture
def secret_account(settings, db):
    settings.CREDENTIALS_KEYS = [OLD_KEY]
    account = factories.make_account("sandbox")
    account.credentials = {"api_key": API_KEY}
    account.save()
    return account


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_dumpdata_holds_no_credential_or_webhook_secret(secret_account):
    secret = secret_account.webhook_secrets[0]
    dump = _dump()
    assert API_KEY not in dump and secret not in dump
    row = next(r for r in json.loads(dump) if r["model"] == "telephony.provideraccount")
    assert row["fields"]["credentials_encrypted"].startswith("gAAAA")  # a Fernet token


def test_secrets_still_work_after_key_rotation(client, settings, secret_account):
    secret = secret_account.webhook_secrets[0]
    settings.CREDENTIALS_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "Re-encrypted 1 provider account(s)" in out.getvalue()
    settings.CREDENTIALS_KEYS = [NEW_KEY]  # the old key is dropped
    account = ProviderAccount.objects.get(pk=secret_account.pk)
    assert account_config(account).credentials["api_key"] == API_KEY
    body = json.dumps({"event_id": "e1", "call_id": "nobody-yet", "event": "ringing"}).encode()
    ts = int(time.time())
    response = client.post(
        reverse("webhook_inbox", args=[account.webhook_token]),
        data=body,
        content_type="application/json",
        headers={"X-Sandbox-Signature": sign(body, secret, ts), "X-Sandbox-Timestamp": str(ts)},
    )
    assert response.status_code == 200
    assert API_KEY not in _dump()
    # And the old key alone no longer opens them: the rotation really re-encrypted.
    settings.CREDENTIALS_KEYS = [OLD_KEY]
    with pytest.raises(RuntimeError, match="cannot be decrypted"):
        ProviderAccount.objects.get(pk=account.pk).credentials  # noqa: B018


def test_account_pages_never_show_the_credentials(client, admin_user, secret_account):
    client.force_login(admin_user)
    secret = secret_account.webhook_secrets[0]
    for url in (
        reverse("telephony:account_detail", args=[secret_account.pk]),
        reverse("telephony:account_edit", args=[secret_account.pk]),
        f"/admin/telephony/provideraccount/{secret_account.pk}/change/",
    ):
        page = client.get(url).content.decode()
        assert API_KEY not in page and secret not in page, url


@pytest.fixture
def superuser(db):
    return factories.make_user(None, is_staff=True, is_superuser=True)


def test_audit_log_cannot_be_changed_or_deleted_in_the_admin(client, superuser):
    entry = AuditEntry.objects.create(action="test.thing", summary="original")
    client.force_login(superuser)
    base = "/admin/callcenter/auditentry/"
    attempts = [
        client.post(f"{base}{entry.pk}/change/", {"summary": "forged", "action": "x"}),
        client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}),
        client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk]}),
        client.post(f"{base}add/", {"summary": "forged", "action": "x"}),
    ]
    assert [r.status_code for r in attempts[:2]] == [403, 403]
    assert attempts[3].status_code == 403
    entry.refresh_from_db()
    assert entry.summary == "original"
    assert AuditEntry.objects.filter(summary="forged").count() == 0
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    # Readable, though: the admin is where auditors look.
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200


def test_no_view_changes_the_audit_log(client, superuser):
    """The audit page is read-only (GET/HEAD); a POST to it is refused."""
    entry = AuditEntry.objects.create(action="test.thing", summary="original")
    client.force_login(superuser)
    assert client.post(reverse("audit"), {"summary": "forged"}).status_code == 405
    entry.refresh_from_db()
    assert entry.summary == "original"


def test_audit_rows_refuse_update_and_delete_in_code(db):
    entry = AuditEntry.objects.create(action="test.thing", summary="original")
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(summary="forged"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        entry.delete,
        entry.save,
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "original"
