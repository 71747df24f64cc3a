"""The contract every provider honours for each capability it declares, continued: TTS
templates, agents, call logs, dispositions, a hosted campaign's whole run, TTS calls to
their end, SMS, opt-out status, credits, masked and flow calls, recordings.

Runs against every registered harness (sandbox, and each provider's HTTP fake).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from telephony.providers.base import (
    FINAL_STATUSES,
    AgentSpec,
    CampaignNumber,
    Capability,
    CapabilityMissing,
    HostedCampaignSpec,
    MaskedCallRequest,
    OutboundCallRequest,
)
from tests.contract.conftest import needs, place_answered, tts_request
from tests.contract.harness import updates_for

# -- TTS templates, agents, call logs, dispositions, a hosted campaign's whole run ----------
TEMPLATE_STATUSES = {"draft", "pending", "approved", "rejected"}
CAMPAIGN_STATUSES = {"running", "paused", "stopped", "completed", "scheduled", "draft"}


def _place_and_finish(harness, reference: str) -> str:
    call_id = place_answered(harness, reference)
    harness.advance(600)
    return call_id


def test_tts_template_is_created_and_reports_its_status(harness):
    needs(harness, Capability.TTS_TEMPLATES)
    created = harness.provider.tts_template_create(
        name="contract_reminder", text="Your order {order_id} ships today.", language="en-IN"
    )
    assert created.provider_id and created.name == "contract_reminder"
    assert created.status in TEMPLATE_STATUSES
    harness.advance(120)
    status = harness.provider.tts_template_status(created.provider_id)
    assert status.provider_id == created.provider_id
    assert status.status in TEMPLATE_STATUSES


def test_agent_is_created_and_its_extension_managed(harness):
    needs(harness, Capability.AGENTS)
    created = harness.provider.agent_create(
        AgentSpec(
            name="Contract Agent",
            extension="2190",
            phone="+919812345678",
            email="contract.agent@example.com",
            password="Contract@2026",
        )
    )
    assert created.provider_id and created.name == "Contract Agent"
    if harness.provider.supports(Capability.EXTENSIONS):
        extension = created.extension or "2190"
        harness.provider.extension_set_enabled(extension=extension, enabled=False)
        harness.provider.extension_set_expiry(extension=extension, expires_on=date(2031, 12, 31))
        harness.provider.extension_assign_did(extension=extension, did_number=harness.did_number)


def test_call_logs_hold_a_finished_call(harness):
    needs(harness, Capability.CALL_LOGS)
    call_id = _place_and_finish(harness, "105")
    now = datetime.now(UTC)
    logs = list(harness.provider.call_logs(since=now - timedelta(days=1), until=now + timedelta(1)))
    ours = [u for u in logs if u.provider_call_id == call_id]
    assert ours and ours[-1].status in FINAL_STATUSES
    assert ours[-1].to_number.startswith("+") or ours[-1].from_number.startswith("+")


def test_disposition_is_pushed_for_a_finished_call(harness):
    needs(harness, Capability.DISPOSITION_PUSH)
    dispositions = harness.provider.list_dispositions()
    assert dispositions and all(d.code and d.label for d in dispositions)
    call_id = _place_and_finish(harness, "106")
    harness.provider.push_disposition(
        provider_call_id=call_id, disposition=dispositions[0].code, note="Contract note"
    )


def _unless_missing(method, *args):
    """Call a part of a capability a provider may lack (CallKaro has no campaign start):
    a lacking provider raises CapabilityMissing with its reason; None is returned then."""
    try:
        return method(*args)
    except CapabilityMissing as exc:
        assert exc.message
        return None


def test_hosted_campaign_runs_and_reports_each_number(harness):
    needs(harness, Capability.HOSTED_CAMPAIGN)
    provider = harness.provider
    numbers = [
        CampaignNumber(n, reference=f"e{i}", variables={"name": "Asha", "order_id": f"O{i}"})
        for i, n in enumerate(harness.extras.get("campaign_numbers", [harness.customer_number]))
    ]
    start, end = harness.extras.get("campaign_window", ("", ""))
    spec = HostedCampaignSpec(
        name="Contract run",
        did_number=harness.did_number,
        template_name=harness.extras.get("template_name", ""),
        text="Hello {name}",
        bot_id=harness.extras.get("bot_id", ""),
        window_start=start,
        window_end=end,
        time_zone=harness.extras.get("campaign_time_zone", ""),
        concurrency=2,
        numbers=numbers if provider.campaign_numbers_at_create else (),
    )
    provider_id = provider.campaign_create(spec)
    if not provider.campaign_numbers_at_create:
        assert provider.campaign_add_numbers(provider_id, numbers).accepted == len(numbers)
    _unless_missing(provider.campaign_start, provider_id)
    harness.advance(1800)
    results = _unless_missing(provider.campaign_results, provider_id)
    if results is not None:
        results = list(results)
        pushed = {n.number: n.reference for n in numbers}
        assert {u.reference or pushed.get(u.to_number) for u in results} == set(pushed.values())
        assert all(u.status in FINAL_STATUSES for u in results)
    status = _unless_missing(provider.campaign_status, provider_id)
    if status is not None:
        assert status.provider_id == provider_id and status.status in CAMPAIGN_STATUSES
    _unless_missing(provider.campaign_stop, provider_id)


# -- TTS calls to their end, SMS, opt-out status, credits ---------------------------------------
def test_tts_call_lives_to_a_final_status(harness):
    needs(harness, Capability.TTS_CALL)
    text = "Hello {name}, your order {order_id} ships today."
    placed = harness.provider.tts_call(
        tts_request(harness, "107", text, name="Asha", order_id="O107")
    )
    harness.advance(600)
    if harness.provider.supports(Capability.WEBHOOKS):
        statuses = [u.status for u in updates_for(harness, placed.provider_call_id)]
        assert statuses and statuses[-1] in FINAL_STATUSES
    if harness.provider.supports(Capability.CALL_DETAILS):
        assert harness.provider.call_details(placed.provider_call_id).status in FINAL_STATUSES


def test_sms_is_sent_singly_and_in_bulk(harness):
    needs(harness, Capability.SMS)
    text = "Your appointment is confirmed."
    sent = harness.provider.sms_send(
        to_number=harness.customer_number, text=text, sender=harness.did_number
    )
    assert sent
    bulk = harness.provider.sms_send_bulk(
        to_numbers=[harness.customer_number], text=text, sender=harness.did_number
    )
    assert len(bulk) == 1 and bulk[0]


def test_optout_status_of_a_fresh_number_is_not_opted_out(harness):
    needs(harness, Capability.CONTACTS_OPTOUT)
    status = harness.provider.contact_optout_status(harness.customer_number)
    assert status.number == harness.customer_number
    assert status.opted_out is False


def test_credits_report_a_numeric_balance(harness):
    needs(harness, Capability.CREDITS)
    credits = harness.provider.credits()
    assert Decimal(credits.balance) >= 0
    if credits.used_this_period is not None:
        assert Decimal(credits.used_this_period) >= 0


def test_masked_call_is_placed_and_cancelled(harness):
    needs(harness, Capability.MASKED_CALL)

    placed = harness.provider.masked_call(
        MaskedCallRequest(
            party_a=harness.customer_number,
            party_b=harness.extras.get("second_number", "+919876500005"),
            did_number=harness.did_number,
            reference="302",
        )
    )
    assert placed.provider_call_id
    harness.provider.cancel_masked_call(
        did_number=harness.did_number, party_a=harness.customer_number
    )


def test_flow_call_is_placed(harness):
    needs(harness, Capability.FLOW_CALL)
    placed = harness.provider.flow_call(
        OutboundCallRequest(
            to_number=harness.customer_number,
            did_number=harness.did_number,
            reference="303",
            flow_id=harness.extras.get("flow_id", "1001"),
        )
    )
    assert placed.provider_call_id


def test_recording_of_an_answered_call_is_fetched_as_audio(harness):
    needs(harness, Capability.RECORDINGS)
    call_id = place_answered(harness, "301")
    harness.advance(600)
    url = ""
    if harness.provider.supports(Capability.CALL_DETAILS):
        url = harness.provider.call_details(call_id).recording_url
    if not url:
        url = next((u.recording_url for u in updates_for(harness, call_id) if u.recording_url), "")
    assert url, "an answered call has a recording URL"
    recording = harness.provider.fetch_recording(url)
    assert recording.content and recording.content_type.startswith("audio/")
