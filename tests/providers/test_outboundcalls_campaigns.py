"""The OutboundCalls.ai adapter over real HTTP against its fake: hosted campaigns, call
details, logs, transcripts, recordings and opt-out status."""

from datetime import UTC, datetime, timedelta

import pytest

from telephony.providers.base import (
    CallStatus,
    CapabilityMissing,
    HostedCampaignSpec,
    InvalidRequest,
)
from tests.providers.outboundcalls_support import (
    CUSTOMER,
    NOW,
    new_campaign,
    numbers_of,
    ran_campaign,
    requests_to,
)
from tests.providers.outboundcalls_support import agent_id_fixture as agent_id_fixture
from tests.providers.outboundcalls_support import catcher_fixture as catcher_fixture
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture
from tests.providers.outboundcalls_support import provider_fixture as provider_fixture


# -- campaigns -------------------------------------------------------------------------------------
def test_campaign_is_created_with_schedule_hours_zone_retries_and_concurrency(
    fake, provider, agent_id
):
    start = datetime(2026, 3, 25, 8, 0, tzinfo=UTC)
    campaign_id = new_campaign(
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
        ({"numbers": numbers_of("12345")}, "cannot call: 12345"),
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
    fields = {"name": "Renewals", "bot_id": "agent_x", "numbers": numbers_of(), **spec_kwargs}
    with pytest.raises(InvalidRequest, match=message):
        provider.campaign_create(HostedCampaignSpec(**fields))
    assert fake.requests == []


def test_numbers_added_while_draft_count_new_repeats_and_rejects(fake, provider, agent_id):
    campaign_id = new_campaign(provider, agent_id)
    numbers = numbers_of(CUSTOMER, "+14155550101", "(415) 555-0101", "not-a-number")
    result = provider.campaign_add_numbers(campaign_id, numbers)
    assert (result.accepted, result.duplicates) == (1, 2)  # one new; one repeat, one known
    assert [number for number, _ in result.rejected] == ["not-a-number"]
    assert all("not-a-number" not in r.body.decode() for r in fake.requests)
    provider.campaign_start(campaign_id)
    with pytest.raises(InvalidRequest, match="reads a campaign's list when it starts"):
        provider.campaign_add_numbers(campaign_id, numbers_of("+14155550102"))


def test_start_pause_resume_status_and_no_stop(fake, provider, agent_id):
    campaign_id = new_campaign(provider, agent_id, numbers=numbers_of(CUSTOMER, "+14155550101"))
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
    campaign_id = new_campaign(
        provider,
        agent_id,
        numbers=numbers_of(CUSTOMER, "+14155550101"),
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
    _, call_id = ran_campaign(fake, provider, agent_id)
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
    _, call_id = ran_campaign(fake, provider, agent_id, outcome="no_answer")
    details = provider.call_details(call_id)
    assert details.status == CallStatus.NO_ANSWER
    assert (details.transcript, details.recording_url) == (None, "")
    assert not requests_to(fake, "/transcript", "GET")


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
    _, call_id = ran_campaign(fake, provider, agent_id)
    inside = list(provider.call_logs(since=NOW, until=NOW + timedelta(hours=1)))
    assert [u.provider_call_id for u in inside] == [call_id]
    assert inside[0].status == CallStatus.COMPLETED
    later = list(provider.call_logs(since=NOW + timedelta(hours=1), until=NOW + timedelta(2)))
    assert later == []


def test_call_logs_page_through_every_call(fake, provider, agent_id):
    phones = [f"+1415555{1000 + i:04d}" for i in range(120)]
    campaign_id = new_campaign(provider, agent_id, numbers=numbers_of(*phones), concurrency=10)
    provider.campaign_start(campaign_id)
    fake.advance(7200)
    logs = list(provider.call_logs(since=NOW, until=NOW + timedelta(days=1)))
    assert len({u.provider_call_id for u in logs}) == len(fake.calls) >= 120
    assert len(requests_to(fake, "/calls", "GET")) >= 2  # more than one page of 100


def test_unknown_call_says_so(provider):
    with pytest.raises(InvalidRequest, match="does not know call call_x"):
        provider.call_details("call_x")


def test_optout_status_follows_the_contacts_do_not_call_status(fake, provider, agent_id):
    new_campaign(provider, agent_id)
    assert provider.contact_optout_status("(415) 555-0100").opted_out is False
    [contact] = fake.contacts.values()
    contact["status"] = "do_not_call"
    status = provider.contact_optout_status("(415) 555-0100")
    assert (status.number, status.opted_out) == (CUSTOMER, True)
