"""Bad input to the inbox gets a 4xx and writes nothing (issue 18.5, 17.18): deep JSON."""

import json

import pytest
from django.test import Client

from telephony.models import ProviderAccount, WebhookEvent
from tests.telephony.helpers import post_signed_webhook


def _nested(depth):
    return "[" * depth + "]" * depth


HEAD = '{"event_id": "e-1", "call_id": "sbx-1", "event": "completed", "extra": '


@pytest.mark.parametrize(
    "body",
    [
        _nested(10_000),
        HEAD + _nested(900) + "}",
        HEAD + '{"a":' * 900 + "1" + "}" * 900 + "}",
    ],
)
def test_deeply_nested_json_is_refused_with_400_and_nothing_stored(db, account, body):
    client = Client(raise_request_exception=False)
    response = post_signed_webhook(client, account, body=body.encode())
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]
    assert not WebhookEvent.objects.exists()
    account = ProviderAccount.objects.get(pk=account.pk)
    assert account.webhooks_rejected == 1
    assert "malformed JSON" in account.last_webhook_rejection


def test_brackets_inside_strings_do_not_count_as_nesting(db, account):
    body = json.dumps(
        {
            "event_id": "e-3",
            "call_id": "sbx-unknown",
            "event": "ringing",
            "note": "[" * 5000 + '\\"{' * 100,
        }
    ).encode()
    response = post_signed_webhook(Client(), account, body=body)
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


def _unknown_event(client, account, n):
    body = {"event_id": f"u-{n}", "call_id": f"sbx-unknown-{n}", "event": "ringing"}
    return post_signed_webhook(client, account, body)


def test_unmatched_events_are_capped_per_account(db, account, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.WEBHOOK_APPLY = "inline"
    settings.WEBHOOK_UNMATCHED_MAX_PER_ACCOUNT = 5
    client = Client()
    for n in range(12):
        assert _unknown_event(client, account, n).status_code == 200
    kept = WebhookEvent.objects.filter(state=WebhookEvent.State.UNMATCHED)
    assert sorted(kept.values_list("dedupe_key", flat=True)) == sorted(
        f"u-{n}" for n in range(7, 12)
    )  # the newest five wait; the oldest went first
    WebhookEvent.objects.filter(pk=kept.order_by("id").first().pk).update(
        received_at=timezone.now() - timedelta(hours=25)
    )
    from telephony.services.retention import retention_purge

    report = retention_purge()
    assert report.counts["unmatched webhook events"] == 1
    assert kept.count() == 4  # an unmatched event expires in hours, not the 90 days


def test_an_unmatched_event_still_matches_within_its_hours(db, account, settings):
    from telephony.services.retention import retention_purge
    from tests.security.conftest import make_call

    settings.WEBHOOK_APPLY = "inline"
    assert _unknown_event(Client(), account, 1).status_code == 200
    retention_purge()
    call = make_call(account, provider_call_id="sbx-unknown-1", status="queued")
    from telephony.services.inbox import inbox_match_unmatched

    assert inbox_match_unmatched(call) == 1
