"""The OutboundCalls.ai adapter over real HTTP against its fake (tests/fakes/outboundcalls.py)."""

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
    CampaignNumber,
    Capability,
    CapabilityMissing,
    HostedCampaignSpec,
    InvalidRequest,
    ProviderError,
    RateLimited,
    WebhookRejected,
)
from telephony.providers.outboundcalls.adapter import STATUS_TABLE, OutboundCallsProvider
from telephony.providers.outboundcalls.api import PATHS
from telephony.services.accounts import account_create, provider_for
from telephony.services.inbox import inbox_receive
from telephony.services.recordings import recording_fetch
from tests.contract.harness import WebhookCatcher, config
from tests.fakes import outboundcalls as fake_module
from tests.fakes.outboundcalls import OutboundCallsFake, sign
from tests.providers.recording_guard import RecordingGuard

CUSTOMER = "+14155550100"
SECRET = "oc-webhook-secret"  # the fake's default signing secret
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the fake's clock


@pytest.fixture
def fake():
    server = OutboundCallsFake(seed=0).start()
    yield server
    server.stop()


@pytest.fixture
def catcher(fake):
    receiver = WebhookCatcher()
    fake.webhook_url = receiver.url
    yield receiver
    receiver.stop()


def _provider(fake, *, secrets=(SECRET,), guard=None, read_timeout=1.0, **credentials):
    provider = OutboundCallsProvider(
        config(
            "outboundcalls",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key, **credentials},
            default_region="US",
            webhook_secrets=secrets,
            guard=guard,
            read_timeout=read_timeout,
        )
    )
    provider.sleeps = []
    provider.http.sleep = provider.sleeps.append  # backoff recorded, not slept
    return provider


@pytest.fixture
def provider(fake):
    return _provider(fake)


@pytest.fixture
def agent_id(provider):
    return provider.agent_create(AgentSpec(name="Ava")).provider_id


def _numbers(*phones):
    return [
        CampaignNumber(p, reference=f"e{i}", variables={"plan": "gold"}, name=f"Asha Rao{i}")
        for i, p in enumerate(phones or (CUSTOMER,))
    ]


def _campaign(provider, agent_id, numbers=None, **kw):
    spec = HostedCampaignSpec(name="Renewals", bot_id=agent_id, numbers=numbers or _numbers(), **kw)
    return provider.campaign_create(spec)


def _ran(fake, provider, agent_id, outcome="completed", seconds=600):
    """A one-number campaign run to its end; returns (campaign id, call id)."""
    fake.force_outcome(CUSTOMER, outcome)
    campaign_id = _campaign(provider, agent_id)
    provider.campaign_start(campaign_id)
    fake.advance(seconds)
    [call_id] = fake.campaigns[campaign_id].call_ids
    return campaign_id, call_id


def _requests(fake, path_end, method="POST"):
    return [r for r in fake.requests if r.method == method and r.path.endswith(path_end)]


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
    provider = _provider(fake, api_key="wrong")
    with pytest.raises(AuthenticationFailed, match="OutboundCalls.ai rejected the API key"):
        provider.test_connection()
    with pytest.raises(AuthenticationFailed, match="rejected the API key"):
        provider.agent_create(AgentSpec(name="Ava"))
    assert fake.agents == {}


def test_connection_and_credits_report_balance_and_usage(fake, provider, agent_id):
    assert provider.test_connection() == "OutboundCalls.ai accepted the API key; 1000 credits left."
    _ran(fake, provider, agent_id)
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
    provider = _provider(fake, guard=guard)
    provider.test_connection()
    provider.agents_list()
    window_end = NOW.replace(second=0) + timedelta(minutes=1)
    assert guard.rate_limits == [(99, window_end.timestamp()), (98, window_end.timestamp())]
    assert guard.acquired == [False, False] and guard.released == 2


def test_creating_and_starting_are_sent_as_call_placing(fake, agent_id):
    guard = RecordingGuard()
    provider = _provider(fake, guard=guard)
    campaign_id = _campaign(provider, agent_id)  # import, create
    provider.campaign_start(campaign_id)
    provider.campaign_status(campaign_id)
    assert guard.acquired == [True, True, True, False]


# -- faults ------------------------------------------------------------------------------------
def test_429_on_a_read_waits_as_long_as_retry_after_says(fake, provider):
    fake.inject("429", retry_after=3, path_contains="/credits/balance")
    provider.credits()
    assert provider.sleeps and provider.sleeps[0] >= 3
    assert len(_requests(fake, "/credits/balance", "GET")) == 2


def test_the_tier_limit_is_met_as_rate_limited(fake):
    limited = OutboundCallsFake(tier_limit_per_minute=2).start()
    try:
        provider = _provider(limited)
        provider.test_connection()
        provider.test_connection()
        with pytest.raises(RateLimited) as caught:
            provider.test_connection()  # the fake's clock stands still: every retry meets 429
        assert caught.value.retry_after == 60
    finally:
        limited.stop()


def test_429_on_placing_is_rate_limited_and_not_retried(fake, provider, agent_id):
    campaign_id = _campaign(provider, agent_id)
    fake.inject("429", retry_after=9, path_contains="/start")
    with pytest.raises(RateLimited) as caught:
        provider.campaign_start(campaign_id)
    assert caught.value.retry_after == 9
    assert len(_requests(fake, "/start")) == 1 and provider.sleeps == []


def test_500_on_a_read_is_retried(fake, provider):
    fake.inject("500", count=2, path_contains="/agents")
    assert provider.agents_list() == []
    assert len(_requests(fake, "/agents", "GET")) == 3 and len(provider.sleeps) == 2


def test_timeout_on_starting_is_ambiguous_and_sent_once(fake, agent_id):
    provider = _provider(fake, read_timeout=0.3)
    campaign_id = _campaign(provider, agent_id)
    fake.inject("timeout", path_contains="/start")
    with pytest.raises(AmbiguousOutcome, match="did not answer within 0.3 s while moving campaign"):
        provider.campaign_start(campaign_id)
    assert len(_requests(fake, "/start")) == 1


def test_an_unreadable_answer_to_a_create_is_ambiguous(fake, provider):
    fake.inject("truncated", path_contains="/agents")
    with pytest.raises(AmbiguousOutcome, match="creating the agent .*not JSON.*may have acted"):
        provider.agent_create(AgentSpec(name="Ava"))


def test_starting_twice_is_harmless(fake, provider, agent_id):
    campaign_id = _campaign(provider, agent_id)
    provider.campaign_start(campaign_id)
    provider.campaign_start(campaign_id)  # a task run twice: 409, but already running
    provider.campaign_resume(campaign_id)  # running already: where resume would take it
    assert fake.campaigns[campaign_id].status == "running"
    draft_id = _campaign(provider, agent_id)
    with pytest.raises(InvalidRequest, match="Campaign is draft, not running"):
        provider.campaign_pause(draft_id)


# -- agents --------------------------------------------------------------------------------------
def test_agents_are_created_listed_renamed_and_deleted(fake, provider):
    created = provider.agent_create(AgentSpec(name="Ava", extension="2101", phone=CUSTOMER))
    assert _requests(fake, "/agents")[0].json() == {"name": "Ava"}  # only the name maps
    assert [a.name for a in provider.agents_list()] == ["Ava"]
    renamed = provider.agent_update(created.provider_id, AgentSpec(name="Ava 2"))
    assert (renamed.provider_id, renamed.name) == (created.provider_id, "Ava 2")
    provider.agent_delete(created.provider_id)
    provider.agent_delete(created.provider_id)  # already gone: not an error
    assert provider.agents_list() == []


def test_an_agent_a_live_campaign_uses_cannot_be_deleted(fake, provider, agent_id):
    provider.campaign_start(_campaign(provider, agent_id))
    with pytest.raises(InvalidRequest, match="is used by campaign"):
        provider.agent_delete(agent_id)


def test_an_agent_without_a_name_is_caught_before_sending(fake, provider):
    with pytest.raises(InvalidRequest, match="needs a name"):
        provider.agent_create(AgentSpec(name=" "))
    assert fake.requests == []


# -- campaigns -------------------------------------------------------------------------------------
def test_campaign_is_created_with_schedule_hours_zone_retries_and_concurrency(
    fake, provider, agent_id
):
    start = datetime(2026, 3, 25, 8, 0, tzinfo=UTC)
    campaign_id = _campaign(
        provider,
        agent_id,
        window_start="09:00",
        window_end="18:00",
        time_zone="Europe/London",
        retries=2,
        retry_gaps_minutes=(60, 60),
        concurrency=20,
        schedule_at=start,
    )
    campaign = fake.campaigns[campaign_id]
    assert campaign.schedule == {
        "start_date": "2026-03-25",
        "calling_hours": {"start": "09:00", "end": "18:00"},
        "timezone": "Europe/London",
    }
    assert campaign.retry_rules == {"max_attempts": 3, "delay_minutes": 60}
    assert (campaign.concurrent_calls, campaign.agent_id, campaign.status) == (
        20,
        agent_id,
        "draft",
    )
    [contact] = [fake.contacts[c] for c in fake.lists[campaign.contact_list_id]]
    assert (contact["phone_number"], contact["first_name"], contact["last_name"]) == (
        CUSTOMER,
        "Asha",
        "Rao0",
    )
    assert contact["custom_fields"] == {"plan": "gold", "reference": "e0"}


@pytest.mark.parametrize(
    ("spec_kwargs", "message"),
    [
        ({"bot_id": ""}, "choose an agent"),
        ({"numbers": ()}, "at least one number"),
        ({"numbers": _numbers("12345")}, "cannot call: 12345"),
        ({"window_start": "09:00", "time_zone": "UTC"}, "both a start and an end"),
        ({"window_start": "09:00", "window_end": "18:00"}, "choose it"),
        ({"window_start": "9am", "window_end": "18:00", "time_zone": "UTC"}, "HH:MM"),
        ({"window_start": "18:00", "window_end": "09:00", "time_zone": "UTC"}, "start before"),
        ({"time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"retries": 2, "retry_gaps_minutes": (30, 120)}, "one fixed delay"),
        ({"retries": 10}, "at most 10 times"),
        ({"schedule_at": datetime(2026, 3, 25)}, "no time zone"),  # noqa: DTZ001
    ],
)
def test_campaigns_it_cannot_honour_are_refused_before_sending(
    fake, provider, spec_kwargs, message
):
    fields = {"name": "Renewals", "bot_id": "agent_x", "numbers": _numbers(), **spec_kwargs}
    with pytest.raises(InvalidRequest, match=message):
        provider.campaign_create(HostedCampaignSpec(**fields))
    assert fake.requests == []


def test_numbers_added_while_draft_count_new_repeats_and_rejects(fake, provider, agent_id):
    campaign_id = _campaign(provider, agent_id)
    numbers = _numbers(CUSTOMER, "+14155550101", "(415) 555-0101", "not-a-number")
    result = provider.campaign_add_numbers(campaign_id, numbers)
    assert (result.accepted, result.duplicates) == (1, 2)  # one new; one repeat, one known
    assert [number for number, _ in result.rejected] == ["not-a-number"]
    assert all("not-a-number" not in r.body.decode() for r in fake.requests)
    provider.campaign_start(campaign_id)
    with pytest.raises(InvalidRequest, match="reads a campaign's list when it starts"):
        provider.campaign_add_numbers(campaign_id, _numbers("+14155550102"))


def test_start_pause_resume_status_and_no_stop(fake, provider, agent_id):
    campaign_id = _campaign(provider, agent_id, numbers=_numbers(CUSTOMER, "+14155550101"))
    assert provider.campaign_status(campaign_id).status == "draft"
    provider.campaign_start(campaign_id)
    provider.campaign_pause(campaign_id)
    assert provider.campaign_status(campaign_id).status == "paused"
    provider.campaign_resume(campaign_id)
    fake.advance(3600)
    status = provider.campaign_status(campaign_id)
    assert (status.status, status.total, status.completed, status.pending) == (
        "completed",
        2,
        2,
        0,
    )
    with pytest.raises(CapabilityMissing, match="no stop: pause the campaign"):
        provider.campaign_stop(campaign_id)


def test_campaign_results_carry_our_entry_ids(fake, provider, agent_id):
    fake.force_outcome("+14155550101", "busy")
    campaign_id = _campaign(
        provider,
        agent_id,
        numbers=_numbers(CUSTOMER, "+14155550101"),
        retries=1,
        retry_gaps_minutes=(5,),
    )
    fake.force_outcome(CUSTOMER, "completed")
    provider.campaign_start(campaign_id)
    fake.advance(3600)
    results = list(provider.campaign_results(campaign_id))
    by_ref = {}
    for update in results:
        by_ref.setdefault(update.reference, []).append(update.status)
    assert by_ref == {"e0": [CallStatus.COMPLETED], "e1": [CallStatus.BUSY, CallStatus.BUSY]}


def test_unknown_campaign_says_so(provider):
    with pytest.raises(InvalidRequest, match="does not know campaign camp_x"):
        provider.campaign_status("camp_x")


# -- calls, logs, transcripts, recordings ---------------------------------------------------------
def test_details_carry_transcript_recording_and_outcome(fake, provider, agent_id):
    _, call_id = _ran(fake, provider, agent_id)
    details = provider.call_details(call_id)
    call = fake.calls[call_id]
    assert (details.status, details.provider_status) == (CallStatus.COMPLETED, "completed")
    assert details.to_number == CUSTOMER and details.duration_seconds == call.duration_seconds
    assert details.summary == "Outcome: " + call.outcome.replace("_", " ")
    assert [t["speaker"] for t in details.transcript] == ["agent", "customer", "agent"]
    assert details.recording_url == f"{fake.base_url}/calls/{call_id}/recording"
    recording = provider.fetch_recording(details.recording_url)
    assert recording.content.startswith(b"RIFF") and recording.content_type == "audio/wav"


def test_an_unconnected_call_has_no_transcript_or_recording(fake, provider, agent_id):
    _, call_id = _ran(fake, provider, agent_id, outcome="no_answer")
    details = provider.call_details(call_id)
    assert details.status == CallStatus.NO_ANSWER
    assert (details.transcript, details.recording_url) == (None, "")
    assert not _requests(fake, "/transcript", "GET")


def test_recording_is_never_fetched_from_another_host(fake, provider):
    for url in (
        "https://evil.example/v1/calls/call_1/recording",
        f"{fake.base_url}/credits/balance",
        f"{fake.url}.evil.example/v1/calls/call_1/recording",
    ):
        with pytest.raises(InvalidRequest, match="Not an OutboundCalls.ai recording URL"):
            provider.fetch_recording(url)
    assert fake.requests == []


def test_call_logs_hold_the_calls_in_the_range(fake, provider, agent_id):
    _, call_id = _ran(fake, provider, agent_id)
    inside = list(provider.call_logs(since=NOW, until=NOW + timedelta(hours=1)))
    assert [u.provider_call_id for u in inside] == [call_id]
    assert inside[0].status == CallStatus.COMPLETED
    later = list(provider.call_logs(since=NOW + timedelta(hours=1), until=NOW + timedelta(2)))
    assert later == []


def test_call_logs_page_through_every_call(fake, provider, agent_id):
    phones = [f"+1415555{1000 + i:04d}" for i in range(120)]
    campaign_id = _campaign(provider, agent_id, numbers=_numbers(*phones), concurrency=10)
    provider.campaign_start(campaign_id)
    fake.advance(7200)
    logs = list(provider.call_logs(since=NOW, until=NOW + timedelta(days=1)))
    assert len({u.provider_call_id for u in logs}) == len(fake.calls) >= 120
    assert len(_requests(fake, "/calls", "GET")) >= 2  # more than one page of 100


def test_unknown_call_says_so(provider):
    with pytest.raises(InvalidRequest, match="does not know call call_x"):
        provider.call_details("call_x")


def test_optout_status_follows_the_contacts_do_not_call_status(fake, provider, agent_id):
    _campaign(provider, agent_id)
    assert provider.contact_optout_status("(415) 555-0100").opted_out is False
    [contact] = fake.contacts.values()
    contact["status"] = "do_not_call"
    status = provider.contact_optout_status("(415) 555-0100")
    assert (status.number, status.opted_out) == (CUSTOMER, True)


# -- webhooks: signature, rotation, replay, parsing ----------------------------------------------
def _signed(payload, secret=SECRET):
    body = json.dumps(payload).encode()
    return body, {"X-OutboundCalls-Signature": sign(secret, body)}


def test_the_fakes_signed_webhooks_verify_and_parse(fake, provider, agent_id, catcher):
    _ran(fake, provider, agent_id)
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
    rotating = _provider(fake, secrets=("new-secret", "old-secret"))
    rotating.verify_webhook(body=body, headers=signed_old, now=NOW)
    rotating.verify_webhook(body=body, headers=_signed(json.loads(body), "new-secret")[1], now=NOW)
    retired = _provider(fake, secrets=("new-secret",))  # a stale secret no longer counts
    with pytest.raises(WebhookRejected, match="bad signature"):
        retired.verify_webhook(body=body, headers=signed_old, now=NOW)


def test_without_a_secret_nothing_verifies(fake):
    body, headers = _signed({"event": "credits.low", "data": {}})
    with pytest.raises(WebhookRejected, match="no webhook secret"):
        _provider(fake, secrets=("",)).verify_webhook(body=body, headers=headers, now=NOW)


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
    account = account_create(
        actor=None,
        kind="outboundcalls",
        name="OutboundCalls",
        credentials={"api_key": fake.api_key},
        base_url=fake.base_url,
        default_region="US",
    )
    fake.webhook_secret = account.webhook_secrets[0]  # pasted into its dashboard
    fake.set_credits(100)  # the call's charge takes it below the threshold: credits.low
    adapter = provider_for(account)
    agent = adapter.agent_create(AgentSpec(name="Ava"))
    _, call_id = _ran(fake, adapter, agent.provider_id)
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
