"""The OutboundCalls.ai adapter over real HTTP against its fake (tests/fakes/outboundcalls.py):
registration, the guard, faults, agents and signed webhooks. (Campaigns, calls, logs and
recordings: test_outboundcalls_campaigns.py.)"""

import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from telephony.models import Call, ProviderAccount
from telephony.providers import registry
from telephony.providers.base import (
    AgentSpec,
    AmbiguousOutcome,
    AuthenticationFailed,
    CallStatus,
    Capability,
    InvalidRequest,
    ProviderError,
    RateLimited,
    WebhookRejected,
)
from telephony.providers.outboundcalls.adapter import STATUS_TABLE, OutboundCallsProvider
from telephony.providers.outboundcalls.api import PATHS
from telephony.services.accounts import provider_for
from telephony.services.inbox import inbox_receive
from telephony.services.recordings import recording_fetch
from tests.fakes import outboundcalls as fake_module
from tests.fakes.outboundcalls import OutboundCallsFake, sign
from tests.providers.outboundcalls_support import (
    CUSTOMER,
    NOW,
    SECRET,
    make_account,
    make_provider,
    new_campaign,
    ran_campaign,
    requests_to,
)
from tests.providers.outboundcalls_support import agent_id_fixture as agent_id_fixture
from tests.providers.outboundcalls_support import catcher_fixture as catcher_fixture
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture
from tests.providers.outboundcalls_support import provider_fixture as provider_fixture
from tests.providers.recording_guard import RecordingGuard


# -- registration and declared capabilities -----------------------------------------------
def test_registered_with_paths_the_fake_serves():
    assert registry.provider_class("outboundcalls") is OutboundCallsProvider
    assert PATHS.items() <= fake_module.PATHS.items()
    assert set(fake_module.STATUS_WORDS) <= set(STATUS_TABLE)


def test_every_capability_it_lacks_has_its_own_reason():
    lacking = set(Capability) - OutboundCallsProvider.capabilities
    assert lacking == set(OutboundCallsProvider.missing)
    assert "only inside a campaign" in OutboundCallsProvider.missing_reason(
        Capability.VOICEBOT_CALL
    )


def test_wrong_key_is_reported_as_a_rejected_api_key(fake):
    provider = make_provider(fake, api_key="wrong")
    with pytest.raises(AuthenticationFailed, match="OutboundCalls.ai rejected the API key"):
        provider.test_connection()
    with pytest.raises(AuthenticationFailed, match="rejected the API key"):
        provider.agent_create(AgentSpec(name="Ava"))
    assert fake.agents == {}


def test_connection_and_credits_report_balance_and_usage(fake, provider, agent_id):
    assert provider.test_connection() == "OutboundCalls.ai accepted the API key; 1000 credits left."
    ran_campaign(fake, provider, agent_id)
    credits = provider.credits()
    assert fake.credits < 1000
    # The fake sends amounts as 999, 999.0 or "999.00" in turn: the same balance.
    assert (Decimal(credits.balance), credits.currency) == (fake.credits, "credits")
    assert Decimal(credits.used_this_period) == sum(row["credits"] for row in fake.usage)


def test_a_balance_that_is_not_a_number_is_a_clear_error(fake, provider):
    fake.credits = "lots"  # what a broken provider might answer
    with pytest.raises(ProviderError, match="balance without a number"):
        provider.credits()


# -- the guard sees rate-limit headers and what places calls -----------------------------------
def test_rate_limit_headers_reach_the_guard(fake):
    guard = RecordingGuard()
    provider = make_provider(fake, guard=guard)
    provider.test_connection()
    provider.agents_list()
    window_end = NOW.replace(second=0) + timedelta(minutes=1)
    assert guard.rate_limits == [(99, window_end.timestamp()), (98, window_end.timestamp())]
    assert guard.acquired == [False, False] and guard.released == 2


def test_creating_and_starting_are_sent_as_call_placing(fake, agent_id):
    guard = RecordingGuard()
    provider = make_provider(fake, guard=guard)
    campaign_id = new_campaign(provider, agent_id)  # import, create
    provider.campaign_start(campaign_id)
    provider.campaign_status(campaign_id)
    assert guard.acquired == [True, True, True, False]


# -- faults ------------------------------------------------------------------------------------
def test_429_on_a_read_waits_as_long_as_retry_after_says(fake, provider):
    fake.inject("429", retry_after=3, path_contains="/credits/balance")
    provider.credits()
    assert provider.sleeps and provider.sleeps[0] >= 3
    assert len(requests_to(fake, "/credits/balance", "GET")) == 2


def test_the_tier_limit_is_met_as_rate_limited(fake):
    limited = OutboundCallsFake(tier_limit_per_minute=2).start()
    try:
        provider = make_provider(limited)
        provider.test_connection()
        provider.test_connection()
        with pytest.raises(RateLimited) as caught:
            provider.test_connection()  # the fake's clock stands still: every retry meets 429
        assert caught.value.retry_after == 60
    finally:
        limited.stop()


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider, agent_id):
    campaign_id = new_campaign(provider, agent_id)
    fake.inject("429", retry_after=9, path_contains="/start")
    with pytest.raises(RateLimited) as caught:
        provider.campaign_start(campaign_id)
    assert caught.value.retry_after == 9
    assert len(requests_to(fake, "/start")) == 1 and provider.sleeps == []


def test_500_on_a_read_is_retried(fake, provider):
    fake.inject("500", count=2, path_contains="/agents")
    assert provider.agents_list() == []
    assert len(requests_to(fake, "/agents", "GET")) == 3 and len(provider.sleeps) == 2


def test_timeout_on_starting_is_ambiguous_and_sent_once(fake, agent_id):
    provider = make_provider(fake, read_timeout=0.3)
    campaign_id = new_campaign(provider, agent_id)
    fake.inject("timeout", path_contains="/start")
    with pytest.raises(AmbiguousOutcome, match="did not answer within 0.3 s while moving campaign"):
        provider.campaign_start(campaign_id)
    assert len(requests_to(fake, "/start")) == 1


def test_an_unreadable_answer_to_a_create_is_ambiguous(fake, provider):
    fake.inject("truncated", path_contains="/agents")
    with pytest.raises(AmbiguousOutcome, match="creating the agent .*not JSON.*may have acted"):
        provider.agent_create(AgentSpec(name="Ava"))


def test_starting_twice_is_harmless(fake, provider, agent_id):
    campaign_id = new_campaign(provider, agent_id)
    provider.campaign_start(campaign_id)
    provider.campaign_start(campaign_id)  # a task run twice: 409, but already running
    provider.campaign_resume(campaign_id)  # running already: where resume would take it
    assert fake.campaigns[campaign_id].status == "running"
    draft_id = new_campaign(provider, agent_id)
    with pytest.raises(InvalidRequest, match="Campaign is draft, not running"):
        provider.campaign_pause(draft_id)


# -- agents --------------------------------------------------------------------------------------
def test_agents_are_created_listed_renamed_and_deleted(fake, provider):
    created = provider.agent_create(AgentSpec(name="Ava", extension="2101", phone=CUSTOMER))
    assert requests_to(fake, "/agents")[0].json() == {"name": "Ava"}  # only the name maps
    assert [a.name for a in provider.agents_list()] == ["Ava"]
    renamed = provider.agent_update(created.provider_id, AgentSpec(name="Ava 2"))
    assert (renamed.provider_id, renamed.name) == (created.provider_id, "Ava 2")
    provider.agent_delete(created.provider_id)
    provider.agent_delete(created.provider_id)  # already gone: not an error
    assert provider.agents_list() == []


def test_an_agent_a_live_campaign_uses_cannot_be_deleted(fake, provider, agent_id):
    provider.campaign_start(new_campaign(provider, agent_id))
    with pytest.raises(InvalidRequest, match="is used by campaign"):
        provider.agent_delete(agent_id)


def test_an_agent_without_a_name_is_caught_before_sending(fake, provider):
    with pytest.raises(InvalidRequest, match="needs a name"):
        provider.agent_create(AgentSpec(name=" "))
    assert fake.requests == []


# -- webhooks: signature, rotation, replay, parsing ----------------------------------------------
def _signed(payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return body, {"X-OutboundCalls-Signature": sign(secret, body)}


def test_the_fakes_signed_webhooks_verify_and_parse(fake, provider, agent_id, catcher):
    ran_campaign(fake, provider, agent_id)
    events = set()
    for body, headers in catcher.received:
        provider.verify_webhook(body=body, headers=headers, now=NOW)
        [update] = provider.parse_webhook(body, headers)
        events.add(update.event_type)
        assert update.dedupe_key == f"outboundcalls:{json.loads(body)['id']}"
    assert {"call.started", "call.completed", "contact.updated", "campaign.completed"} <= events


@pytest.mark.parametrize(
    "headers",
    [
        {"X-OutboundCalls-Signature": "0" * 64},
        {"X-Signature": "0" * 64},
        {"X-OutboundCalls-Signature": sign("another-secret", b'{"event": "x"}')},
    ],
)
def test_a_bad_or_missing_signature_is_rejected(provider, headers):
    with pytest.raises(WebhookRejected) as caught:
        provider.verify_webhook(body=b'{"event": "x"}', headers=headers, now=NOW)
    assert caught.value.status == 401


def test_a_tampered_body_is_rejected(provider):
    body, headers = _signed({"event": "credits.low", "data": {"balance": 5}})
    provider.verify_webhook(body=body, headers=headers, now=NOW)
    with pytest.raises(WebhookRejected, match="bad signature"):
        provider.verify_webhook(body=body.replace(b"5", b"9"), headers=headers, now=NOW)


def test_during_rotation_old_and_new_secrets_verify_and_a_retired_one_does_not(fake):
    body, signed_old = _signed({"event": "credits.low", "data": {}}, secret="old-secret")
    rotating = make_provider(fake, secrets=("new-secret", "old-secret"))
    rotating.verify_webhook(body=body, headers=signed_old, now=NOW)
    rotating.verify_webhook(body=body, headers=_signed(json.loads(body), "new-secret")[1], now=NOW)
    retired = make_provider(fake, secrets=("new-secret",))  # a stale secret no longer counts
    with pytest.raises(WebhookRejected, match="bad signature"):
        retired.verify_webhook(body=body, headers=signed_old, now=NOW)


def test_without_a_secret_nothing_verifies(fake):
    body, headers = _signed({"event": "credits.low", "data": {}})
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        make_provider(fake, secrets=("",)).verify_webhook(body=body, headers=headers, now=NOW)


def test_a_stale_replay_verifies_but_keeps_its_dedupe_key(provider):
    # No timestamp is signed, so age cannot be checked; the event id makes a replay a duplicate.
    payload = {
        "id": "evt_1",
        "event": "call.failed",
        "created_at": "2025-01-01T00:00:00Z",
        "data": {"id": "call_1", "status": "busy"},
    }
    body, headers = _signed(payload)
    provider.verify_webhook(body=body, headers=headers, now=NOW + timedelta(days=400))
    keys = {provider.parse_webhook(body, headers)[0].dedupe_key for _ in range(2)}
    assert keys == {"outboundcalls:evt_1"}


@pytest.mark.parametrize(
    ("event", "data", "expected"),
    [
        ("call.started", {"id": "call_1", "status": "in_progress"}, CallStatus.IN_PROGRESS),
        ("call.failed", {"id": "call_1", "status": "no_answer"}, CallStatus.NO_ANSWER),
        ("call.completed", {"id": "call_1", "status": "voicemail"}, CallStatus.VOICEMAIL),
    ],
)
def test_call_events_map_to_one_status(provider, event, data, expected):
    payload = {"id": "evt_9", "event": event, "created_at": "2026-01-05T10:01:00Z", "data": data}
    [update] = provider.parse_webhook(json.dumps(payload).encode(), {})
    assert (update.provider_call_id, update.status, update.event_type) == (
        "call_1",
        expected,
        event,
    )
    assert update.occurred_at == datetime(2026, 1, 5, 10, 1, tzinfo=UTC)
    assert update.raw == payload


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("campaign.completed", {"id": "camp_1", "status": "completed"}),
        ("credits.low", {"balance": 42, "threshold": 100}),
        ("contact.updated", {"id": "contact_1", "phone_number": CUSTOMER, "status": "called"}),
    ],
)
def test_non_call_events_keep_their_type_and_payload_without_a_call_id(provider, event, data):
    payload = {"id": "evt_2", "event": event, "created_at": "2026-01-05T10:01:00Z", "data": data}
    [update] = provider.parse_webhook(json.dumps(payload).encode(), {})
    assert (update.provider_call_id, update.status, update.event_type) == (
        "",
        CallStatus.UNKNOWN,
        event,
    )
    assert update.dedupe_key == "outboundcalls:evt_2"
    if event == "credits.low":  # amounts as decimal text, however they were sent
        assert update.raw == {**payload, "data": {"balance": "42", "threshold": "100"}}
    else:
        assert update.raw == payload
    if event == "contact.updated":
        assert (update.to_number, update.provider_status) == (CUSTOMER, "called")


def test_an_unknown_event_or_status_is_kept_raw_and_logged(provider, caplog):
    unknown = {"id": "e", "event": "call.transferred", "data": {"id": "c", "status": "warped"}}
    with caplog.at_level(logging.WARNING):
        [update] = provider.parse_webhook(json.dumps(unknown).encode(), {})
    assert (update.status, update.provider_status) == (CallStatus.UNKNOWN, "warped")
    assert "call.transferred" in caplog.text and "warped" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        b"\x00not json",
        b'{"data": {"id": "c"}}',
        b'{"event": "call.completed"}',
        b'{"event": "call.completed", "data": {"status": "completed"}}',
    ],
)
def test_malformed_webhooks_are_rejected(provider, body):
    with pytest.raises(WebhookRejected):
        provider.parse_webhook(body, {})


# -- through the inbox -------------------------------------------------------------------------
@pytest.mark.django_db
def test_signed_events_through_the_inbox_fill_the_call_and_the_balance(fake, catcher):
    account = make_account(fake)
    fake.webhook_secret = account.webhook_secrets[0]  # pasted into its dashboard
    fake.set_credits(100)  # the call's charge takes it below the threshold: credits.low
    adapter = provider_for(account)
    agent = adapter.agent_create(AgentSpec(name="Ava"))
    _, call_id = ran_campaign(fake, adapter, agent.provider_id)
    call = Call.objects.create(
        account=account, provider_call_id=call_id, call_type="voicebot", to_number=CUSTOMER
    )
    for body, headers in catcher.received:
        assert inbox_receive(token=account.webhook_token, body=body, headers=headers).stored == 1
    again = inbox_receive(token=account.webhook_token, body=body, headers=headers)
    assert (again.stored, again.duplicates) == (0, 1)
    call.refresh_from_db()
    assert call.status == CallStatus.COMPLETED
    assert call.transcript[0]["speaker"] == "agent"
    assert recording_fetch(call_id=call.pk).file.read().startswith(b"RIFF")
    account.refresh_from_db()
    assert account.credits_balance == fake.credits
    assert ProviderAccount.objects.get(pk=account.pk).webhooks_rejected == 0
    forged = {"X-OutboundCalls-Signature": sign("not-our-secret", body)}
    with pytest.raises(WebhookRejected):
        inbox_receive(token=account.webhook_token, body=body, headers=forged)
    assert ProviderAccount.objects.get(pk=account.pk).webhooks_rejected == 1
