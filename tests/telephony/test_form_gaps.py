"""Form gaps of issue 17 item 14: negative or zero rates, a 20,000-character TTS text, an
extension expiry in the past. Each is refused with a message, every error of the form at
once, and nothing is stored."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import TTSTemplate
from telephony.forms.dashboard import ExtensionForm
from telephony.models import ProviderAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_zero_and_negative_limits_are_refused_all_at_once(admin_client):
    resp = admin_client.post(
        reverse("telephony:account_create"),
        {
            "kind": "sandbox",
            "name": "Limits",
            "default_region": "IN",
            "calls_per_second": -1,
            "requests_per_minute": 0,
            "concurrency_limit": 0,
            "low_credit_threshold": "-5",
            "enabled": "on",
        },
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    for message in (
        "Calls per second must be more than 0 (got -1.0)",
        "Requests per minute must be more than 0 (got 0)",
        "Concurrent calls must be more than 0 (got 0)",
        "A credit threshold cannot be negative",
    ):
        assert message in html
    assert not ProviderAccount.objects.filter(name="Limits").exists()


def test_a_twenty_thousand_character_tts_text_is_refused(admin_client):
    resp = admin_client.post(
        reverse("tts:create"), {"name": "essay", "text": "Hello {name}. " * 1500, "language": "en"}
    )
    assert resp.status_code == 200
    assert "too long for a spoken message" in resp.content.decode()
    assert not TTSTemplate.objects.filter(name="essay").exists()


def test_an_extension_expiry_in_the_past_is_refused():
    yesterday = timezone.localdate() - timedelta(days=1)
    form = ExtensionForm({"expires_on": yesterday.isoformat()})
    assert not form.is_valid()
    assert "is in the past" in form.errors["expires_on"][0]
    assert ExtensionForm({"expires_on": timezone.localdate().isoformat()}).is_valid()
