"""Every JSON example of CallKaro's doc (/work/shared/providers/callkaro.txt), copied verbatim
into fixtures/callkaro/, fed through the adapter over real HTTP.

Answers are served byte for byte by the fake (`fake.canned`) and read by the adapter
method that would receive them. Request examples are held against what the adapter sends
for the same call, and posted verbatim to the fake (written from the doc's field table).
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from telephony.providers.base import (
    AmbiguousOutcome,
    AuthenticationFailed,
    CallStatus,
    CampaignNumber,
    HostedCampaignSpec,
    InvalidRequest,
    OutboundCallRequest,
)
from telephony.providers.callkaro.adapter import REFERENCE_KEY
from telephony.providers.callkaro.api import PATHS
from telephony.providers.callkaro.payloads import IST
from tests.fakes.callkaro import CallKaroBatch
from tests.providers.callkaro_support import fake_fixture as fake_fixture
from tests.providers.callkaro_support import make_provider
from tests.providers.doc_examples import last_sent, post_verbatim

FIXTURES = Path(__file__).parent / "fixtures" / "callkaro"
OUTBOUND = PATHS["outbound_call"][1]
CAMPAIGN = PATHS["create_campaign"][1]
DOC_AGENT = "6803fa770b65876868ddf"  # the agent of the doc's first examples


def _provider(fake, agent_id=DOC_AGENT):
    return make_provider(fake, agent_id=agent_id)


def _post_verbatim(fake, path, raw):
    return post_verbatim(fake.base_url + path, raw, {"X-API-KEY": fake.api_key})


_last_sent = last_sent


# -- request examples --------------------------------------------------------------------------
def outbound_request(raw: bytes, fake) -> None:
    """The fake takes the doc's call as written, and the adapter sends that same call."""
    assert _post_verbatim(fake, OUTBOUND, raw).status_code == 200
    doc = json.loads(raw)
    gaps = doc.get("gap_between_retries", ())
    request = OutboundCallRequest(
        to_number=doc["to_number"],
        did_number="",
        reference="42",
        bot_id=doc["agent_id"],
        variables=doc["metadata"],
        schedule_at=(
            datetime.fromisoformat(doc["schedule_at"]).replace(tzinfo=IST)
            if "schedule_at" in doc
            else None
        ),
        window_start=doc.get("min_trigger_time", ""),
        window_end=doc.get("max_trigger_time", ""),
        carry_over=doc.get("carry_over", False),
        retries=doc.get("number_of_retries", 0),
        retry_gaps_minutes=tuple(gaps) if isinstance(gaps, list) else (gaps,),
        priority=doc.get("priority", 0),
    )
    _provider(fake).voicebot_call(request)
    expected = {**doc, "metadata": {**doc["metadata"], REFERENCE_KEY: "42"}}
    expected.setdefault("priority", 0)  # we always say it; 0 is the doc's own example
    assert _last_sent(fake, OUTBOUND) == expected


def campaign_request(raw: bytes, fake) -> None:
    assert _post_verbatim(fake, CAMPAIGN, raw).status_code == 200
    doc = json.loads(raw)
    _provider(fake, doc["agent_id"]).campaign_create(HostedCampaignSpec(name=doc["name"]))
    assert _last_sent(fake, CAMPAIGN) == doc


def campaign_number_request(raw: bytes, fake) -> None:
    """The doc's "schedule campaign" body leaves out agent_id, which its field table
    requires: the fake refuses it as written, and the adapter adds the account's agent."""
    doc = json.loads(raw)
    fake.batches[doc["batch_id"]] = CallKaroBatch(doc["batch_id"], "Doc", DOC_AGENT, fake.clock)
    refused = _post_verbatim(fake, OUTBOUND, raw)
    assert (refused.status_code, refused.json()["message"]) == (400, "Missing agent_id")
    number = CampaignNumber(doc["to_number"], reference="e1", variables=doc["metadata"])
    result = _provider(fake).campaign_add_numbers(doc["batch_id"], [number])
    assert result.accepted == 1
    sent = _last_sent(fake, OUTBOUND)
    assert sent == {
        "to_number": doc["to_number"],
        "agent_id": DOC_AGENT,
        "batch_id": doc["batch_id"],
        "metadata": {**doc["metadata"], REFERENCE_KEY: "e1"},
    }


# -- answers -------------------------------------------------------------------------------------
def call_answer(call_id: str) -> Callable:
    def check(raw: bytes, fake) -> None:
        fake.canned(OUTBOUND, raw)
        request = OutboundCallRequest(to_number="+919876543210", did_number="", reference="1")
        placed = _provider(fake).voicebot_call(request)
        assert (placed.provider_call_id, placed.status) == (call_id, CallStatus.QUEUED)

    return check


def call_refused(error: type, message: str, status: int) -> Callable:
    def check(raw: bytes, fake) -> None:
        fake.canned(OUTBOUND, raw, status=status)
        request = OutboundCallRequest(to_number="+919876543210", did_number="", reference="1")
        with pytest.raises(error, match=message):
            _provider(fake).voicebot_call(request)
        assert len(fake.requests_to(OUTBOUND)) == 1  # never re-sent
        assert not fake.calls

    return check


def batch_answer(batch_id: str) -> Callable:
    def check(raw: bytes, fake) -> None:
        fake.canned(CAMPAIGN, raw)
        assert _provider(fake).campaign_create(HostedCampaignSpec(name="Doc")) == batch_id

    return check


CASES: dict[str, Callable] = {
    "outbound_call.request_body.json": outbound_request,
    "outbound_call.success_response.json": call_answer("a1b2c3d4e5"),
    "outbound_call.error_response_400.json": call_refused(InvalidRequest, "Missing agent_id", 400),
    "outbound_call.error_response_403.json": call_refused(
        AuthenticationFailed, r"rejected the API key \(Missing X-API-KEY in headers\)", 403
    ),
    "outbound_call.error_response_404.json": call_refused(
        InvalidRequest, f"does not know agent {DOC_AGENT}", 404
    ),
    # A 5xx to a call-placing request: the call may exist, so it is in doubt, not failed.
    "outbound_call.error_response_500.json": call_refused(AmbiguousOutcome, "HTTP 500", 500),
    "outbound_call.curl_normal.json": outbound_request,
    "outbound_call.curl_normal_call_with_retry.json": outbound_request,
    "outbound_call.curl_scheduling_call_with_no_retry.json": outbound_request,
    "outbound_call.curl_scheduling_with_retry.json": outbound_request,
    "outbound_call.curl_scheduling_with_retry_and_start_end_time.json": outbound_request,
    "outbound_call.curl_rescheduling_to_next_day.json": outbound_request,
    "campaign.request_body_for_creating_campaign.json": campaign_request,
    "campaign.success_response.json": batch_answer("68433b7b0dee98e59245ebab"),
    "campaign.request_body_for_scheduling_campaign.json": campaign_number_request,
    "campaign.curl_campaign.json": campaign_request,
    "campaign.curl_schedule_campaign.json": campaign_number_request,
}


def test_every_fixture_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_doc_example(name, fake):
    CASES[name]((FIXTURES / name).read_bytes(), fake)


def test_campaign_numbers_carry_the_campaigns_schedule(fake):
    """The doc's "schedule campaign" body: each number of a batch carries the campaign's
    start, window (CallKaro's clock), carry-over, retries and gap."""
    raw = (FIXTURES / "campaign.request_body_for_scheduling_campaign.json").read_bytes()
    doc = json.loads(raw)
    fake.batches[doc["batch_id"]] = CallKaroBatch(doc["batch_id"], "Doc", DOC_AGENT, fake.clock)
    start = datetime.now(UTC) + timedelta(days=1)
    spec = HostedCampaignSpec(
        name="Doc",
        window_start="08:30",
        window_end="20:30",
        time_zone="Asia/Kolkata",
        retries=3,
        retry_gaps_minutes=[30, 30, 30],
        schedule_at=start,
        carry_over=True,
    )
    number = CampaignNumber(doc["to_number"], "e1", variables=doc["metadata"], campaign=spec)
    assert _provider(fake).campaign_add_numbers(doc["batch_id"], [number]).accepted == 1
    sent = _last_sent(fake, OUTBOUND)
    assert set(doc) <= set(sent)
    assert {k: sent[k] for k in ("min_trigger_time", "max_trigger_time")} == {
        "min_trigger_time": "08:30",
        "max_trigger_time": "20:30",
    }
    assert (sent["carry_over"], sent["number_of_retries"], sent["gap_between_retries"]) == (
        True,
        3,
        30,
    )
    ist = timezone(timedelta(hours=5, minutes=30))
    assert sent["schedule_at"] == start.astimezone(ist).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_campaign_window_in_another_zone_is_sent_in_callkaros_clock(fake):
    fake.batches["b1"] = CallKaroBatch("b1", "Doc", DOC_AGENT, fake.clock)
    spec = HostedCampaignSpec(
        name="Doc", window_start="10:00", window_end="12:00", time_zone="Asia/Dubai"
    )
    number = CampaignNumber("+919876543210", "e1", campaign=spec)
    _provider(fake).campaign_add_numbers("b1", [number])
    sent = _last_sent(fake, OUTBOUND)
    assert (sent["min_trigger_time"], sent["max_trigger_time"]) == ("11:30", "13:30")
    assert "schedule_at" not in sent  # no future start: the number is due now
