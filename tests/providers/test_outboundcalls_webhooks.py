"""OutboundCalls.ai webhooks: "All payloads are signed with HMAC-SHA256" (doc), with no
header and no signed text named. The fake signs in each common form under each of our
guessed headers; the adapter, through the shared verifier, takes every one of them with
the right secret and none with a wrong one."""

import json
from datetime import UTC, datetime
from itertools import product

import pytest

from telephony.models import ProviderAccount
from telephony.providers.base import (
    AgentSpec,
    CallStatus,
    CampaignNumber,
    HostedCampaignSpec,
    WebhookRejected,
)
from telephony.providers.kit.signatures import verify_signature
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from telephony.services.accounts import account_create
from telephony.services.inbox import inbox_receive
from tests.contract.harness import WebhookCatcher, config
from tests.fakes.outboundcalls import OutboundCallsFake
from tests.fakes.outboundcalls_shapes import SIGNATURE_FORMS, SIGNATURE_HEADERS, signature

SECRET = "oc-webhook-secret"
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
BODY = json.dumps(
    {"id": "evt_1", "event": "call.failed", "data": {"id": 500001, "status": "busy"}}
).encode()
SIGNED = list(product(SIGNATURE_HEADERS, SIGNATURE_FORMS))


def _provider(secret=SECRET, **settings):
    return OutboundCallsProvider(
        config("outboundcalls", credentials={"api_key": "k"}, webhook_secrets=(secret,), **settings)
    )


@pytest.mark.parametrize(("header", "form"), SIGNED)
def test_each_form_under_each_header_verifies_with_the_right_secret(header, form):
    headers = {header: signature(SECRET, BODY, form)}
    _provider().verify_webhook(body=BODY, headers=headers, now=NOW)
    # The shared verifier, given the provider's guessed header, finds the same.
    check = verify_signature(
        body=BODY,
        headers=headers,
        secrets=[SECRET],
        header_names=OutboundCallsProvider.signature_headers,
        required=True,
        now=NOW,
        tolerance=300,
    )
    assert check.header == header.lower() and check.form.endswith("raw body")


@pytest.mark.parametrize(("header", "form"), SIGNED)
def test_each_form_under_each_header_is_rejected_with_a_wrong_secret(header, form):
    headers = {header: signature("not-the-secret", BODY, form)}
    with pytest.raises(WebhookRejected, match="bad signature") as caught:
        _provider().verify_webhook(body=BODY, headers=headers, now=NOW)
    assert caught.value.status == 401
    tampered = BODY.replace(b"busy", b"completed")
    with pytest.raises(WebhookRejected, match="bad signature"):
        _provider().verify_webhook(
            body=tampered, headers={header: signature(SECRET, BODY, form)}, now=NOW
        )


def test_an_unsigned_event_is_refused_when_the_account_requires_a_signature():
    _provider().verify_webhook(body=BODY, headers={}, now=NOW)  # the URL token suffices
    with pytest.raises(WebhookRejected, match="requires one"):
        _provider(webhook_signature_required=True).verify_webhook(body=BODY, headers={}, now=NOW)


def test_every_signed_webhook_of_the_fake_verifies_and_parses():
    fake = OutboundCallsFake(seed=0).start()
    catcher = WebhookCatcher()
    fake.webhook_url = catcher.url
    try:
        provider = OutboundCallsProvider(
            config(
                "outboundcalls",
                base_url=fake.base_url,
                credentials={"api_key": fake.api_key},
                webhook_secrets=(fake.webhook_secret,),
            )
        )
        wrong = _provider("another-secret")
        agent = provider.agent_create(AgentSpec(name="Ava"))
        numbers = [CampaignNumber(f"+1415555{1000 + i:04d}", f"e{i}") for i in range(4)]
        campaign_id = provider.campaign_create(
            HostedCampaignSpec(name="R", bot_id=agent.provider_id, concurrency=4, numbers=numbers)
        )
        provider.campaign_start(campaign_id)
        fake.advance(3600)
        seen = set()
        for body, headers in catcher.received:
            provider.verify_webhook(body=body, headers=headers, now=NOW)
            with pytest.raises(WebhookRejected):
                wrong.verify_webhook(body=body, headers=headers, now=NOW)
            [update] = provider.parse_webhook(body, headers)
            if update.event_type.startswith("call."):
                assert update.provider_call_id in fake.calls  # numeric ids read as text
            header = next(h for h in SIGNATURE_HEADERS if h.lower() in headers)
            value = headers[header.lower()]
            seen.add(
                (header, next(f for f in SIGNATURE_FORMS if value == signature(SECRET, body, f)))
            )
        assert set(seen) == set(SIGNED)  # every header with every form, over one campaign
    finally:
        catcher.stop()
        fake.stop()


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "form"), SIGNED)
def test_the_inbox_takes_each_form_and_counts_a_forgery(header, form):
    account = account_create(
        actor=None, kind="outboundcalls", name="OC", credentials={"api_key": "k"}
    )
    secret = account.webhook_secrets[0]
    result = inbox_receive(
        token=account.webhook_token, body=BODY, headers={header: signature(secret, BODY, form)}
    )
    assert result.stored == 1
    with pytest.raises(WebhookRejected):
        inbox_receive(
            token=account.webhook_token,
            body=BODY,
            headers={header: signature("forged", BODY, form)},
        )
    assert ProviderAccount.objects.get(pk=account.pk).webhooks_rejected == 1


def test_numeric_ids_in_an_event_are_read_as_text():
    payload = {
        "id": 9001,
        "event": "call.completed",
        "data": {"id": 500002.0, "status": "completed"},
    }
    [update] = _provider().parse_webhook(json.dumps(payload).encode(), {})
    assert (update.provider_call_id, update.status, update.dedupe_key) == (
        "500002",
        CallStatus.COMPLETED,
        "outboundcalls:9001",
    )
    assert update.recording_url.endswith("/calls/500002/recording")
