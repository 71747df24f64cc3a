from django.db import connection

from telephony.models import ProviderAccount
from telephony.services.accounts import accounts_rotate_credentials
from tests import factories


def test_credentials_are_not_readable_in_the_database(db):
    account = factories.make_account()
    account.credentials = {"api_token": "tok-very-secret-123"}
    account.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted, webhook_secrets_encrypted FROM telephony_provideraccount"
        )
        raw = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert "tok-very-secret-123" not in raw
    assert account.webhook_secrets[0] not in raw
    assert ProviderAccount.objects.get().credentials == {"api_token": "tok-very-secret-123"}


def test_credentials_survive_key_rotation(db, settings):
    settings.CREDENTIALS_KEYS = ["old-key"]
    account = factories.make_account()
    account.credentials = {"api_token": "abc"}
    account.save()
    settings.CREDENTIALS_KEYS = ["new-key", "old-key"]
    assert ProviderAccount.objects.get().credentials == {"api_token": "abc"}
    assert accounts_rotate_credentials() == 1
    settings.CREDENTIALS_KEYS = ["new-key"]  # the old key is gone; rotated data still opens
    assert ProviderAccount.objects.get().credentials == {"api_token": "abc"}
