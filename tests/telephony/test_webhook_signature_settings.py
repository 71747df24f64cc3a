"""Where a provider's doc names no signature scheme, the URL token authenticates; an admin
can name the signature header and require it, and sees what a rejected event carried."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from telephony.models import Call, ProviderAccount, WebhookEvent
from telephony.services.accounts import account_create

pytestmark = pytest.mark.django_db

# The completion webhook of Callmatic's doc, trimmed to what matters here.
EVENT = json.dumps(
    {
        "callId": "e08bad66-ee60-458d-958f-a02b1f12d355",
        "campaignId": "a04c3520-c85c-4443-9ffd-7175625e9ecb",
        "direction": "OUTBOUND",
        "phoneNumber": "7347087599",
        "status": "completed",
        "duration": 19.18,
    }
).encode()


@pytest.fixture
def callmatic(db):
    return account_create(
        actor=None, kind="callmatic", name="Callmatic", credentials={"api_key": "k"}
    )


def _post(client, account, body=EVENT, **headers):
    return client.post(
        reverse("webhook_inbox", args=[account.webhook_token]),
        data=body,
        content_type="application/json",
        headers=headers,
    )


def _sign(account: ProviderAccount, body: bytes = EVENT) -> str:
    return hmac.new(account.webhook_secrets[0].encode(), body, hashlib.sha256).hexdigest()


def test_an_unsigned_event_is_accepted_on_the_url_token(client, callmatic):
    assert _post(client, callmatic).status_code == 200
    assert WebhookEvent.objects.filter(account=callmatic).count() == 1


def test_a_present_signature_that_does_not_verify_is_rejected_and_nothing_stored(client, callmatic):
    resp = _post(client, callmatic, **{"X-Signature": "0" * 64})
    assert resp.status_code == 401
    assert not WebhookEvent.objects.exists() and not Call.objects.exists()
    callmatic.refresh_from_db()
    assert callmatic.webhooks_rejected == 1 and "bad signature" in callmatic.last_webhook_rejection


def test_a_required_signature_refuses_unsigned_events_and_accepts_signed_ones(
    client, admin_user, callmatic
):
    client.force_login(admin_user)
    form = {
        "name": callmatic.name,
        "default_region": "IN",
        "calls_per_second": 5,
        "requests_per_minute": 300,
        "concurrency_limit": 10,
        "webhook_signature_header": "X-Callmatic-Sig",
        "webhook_signature_required": "on",
        "enabled": "on",
    }
    resp = client.post(reverse("telephony:account_edit", args=[callmatic.pk]), form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    callmatic.refresh_from_db()
    assert callmatic.webhook_signature_header == "x-callmatic-sig"
    assert callmatic.webhook_signature_required

    client.logout()
    assert _post(client, callmatic, **{"Authorization": "Bearer leaked"}).status_code == 401
    assert not WebhookEvent.objects.exists()
    signed = _post(client, callmatic, **{"X-Callmatic-Sig": "sha256=" + _sign(callmatic)})
    assert signed.status_code == 200
    assert WebhookEvent.objects.count() == 1

    client.force_login(admin_user)
    page = client.get(reverse("telephony:account_detail", args=[callmatic.pk])).content.decode()
    assert 'data-testid="rejected-headers"' in page
    assert "requires one" in page
    assert "Bearer leaked" not in page and "•••" in page  # secrets masked
    assert "<code>x-callmatic-sig</code>" in page


def test_a_secret_the_provider_shows_can_be_set_and_verifies(client, admin_user, callmatic):
    client.force_login(admin_user)
    form = {
        "name": callmatic.name,
        "default_region": "IN",
        "calls_per_second": 5,
        "requests_per_minute": 300,
        "concurrency_limit": 10,
        "webhook_secret": "provider-given-secret",
        "enabled": "on",
    }
    assert client.post(reverse("telephony:account_edit", args=[callmatic.pk]), form).status_code
    callmatic.refresh_from_db()
    assert callmatic.webhook_secrets[0] == "provider-given-secret"
    client.logout()
    mac = hmac.new(b"provider-given-secret", EVENT, hashlib.sha256).hexdigest()
    assert _post(client, callmatic, **{"X-Signature": mac}).status_code == 200
