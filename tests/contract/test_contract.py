"""The contract every provider honours for each capability it declares: the representative
calls, click-to-call, TTS, call details, webhooks, DIDs, voice bots, hosted campaigns.
Templates, agents, logs, dispositions, SMS, credits and recordings: test_contract_account.py.

Runs against every registered harness (sandbox, and each provider's HTTP fake).
"""

from datetime import UTC, datetime, timedelta

import pytest

from telephony.providers.base import (
    FINAL_STATUSES,
    CallStatus,
    CampaignNumber,
    Capability,
    CapabilityMissing,
    ClickToCallRequest,
    HostedCampaignSpec,
    MaskedCallRequest,
    OutboundCallRequest,
    WebhookRejected,
)
from tests.contract.conftest import needs, place_answered, tts_request
from tests.contract.harness import updates_for

# One representative call per capability: what a service would call first.
_NUMBER = "+14155550123"
CALL_FOR: dict[Capability, object] = {
    Capability.CLICK_TO_CALL: lambda p: p.click_to_call(
        ClickToCallRequest("2101", "", _NUMBER, _NUMBER, "1")
    ),
    Capability.MASKED_CALL: lambda p: p.masked_call(
        MaskedCallRequest(_NUMBER, _NUMBER, _NUMBER, "1")
    ),
    Capability.TTS_CALL: lambda p: p.tts_call(
        OutboundCallRequest(to_number=_NUMBER, did_number=_NUMBER, reference="1", text="Hi")
    ),
    Capability.FLOW_CALL: lambda p: p.list_flows(),
    Capability.VOICEBOT_CALL: lambda p: p.list_voicebots(),
    Capability.HOSTED_CAMPAIGN: lambda p: p.campaign_status("1"),
    Capability.CALL_DETAILS: lambda p: p.call_details("1"),
    Capability.CALL_LOGS: lambda p: p.call_logs(
        since=datetime.now(UTC) - timedelta(hours=1), until=datetime.now(UTC)
    ),
    Capability.RECORDINGS: lambda p: p.fetch_recording("https://example.invalid/r.mp3"),
    Capability.DISPOSITION_PUSH: lambda p: p.push_disposition(
        provider_call_id="1", disposition="interested", note=""
    ),
    Capability.DIDS: lambda p: p.dids_owned(),
    Capability.AGENTS: lambda p: p.agents_list(),
    Capability.EXTENSIONS: lambda p: p.extension_set_enabled(extension="2101", enabled=False),
    Capability.TTS_TEMPLATES: lambda p: p.tts_templates_list(),
    Capability.SMS: lambda p: p.sms_send(to_number=_NUMBER, text="Hi"),
    Capability.CONTACTS_OPTOUT: lambda p: p.contact_optout_status(_NUMBER),
    Capability.CREDITS: lambda p: p.credits(),
    Capability.WEBHOOKS: lambda p: p.parse_webhook(b"{}", {}),
}


def test_every_capability_has_a_representative_call():
    assert set(CALL_FOR) == set(Capability)


def test_every_missing_capability_is_explained_in_the_providers_own_words(harness):
    """The UI shows `missing_reason` as-is: it must be this provider's sentence, written
    for it, not the base class's generic fallback."""
    cls = type(harness.provider)
    for capability in Capability:
        if not cls.supports(capability):
            assert capability in cls.missing, f"{cls.kind}: no reason for missing {capability}"
            reason = cls.missing[capability]
            # Names the provider (the UI shows it beside other providers' reasons) and
            # says more than the fallback "X does not offer Y."
            assert cls.label.split()[0].split(".")[0].lower() in reason.lower(), reason
            assert not reason.endswith(f"does not offer {capability.value.replace('_', ' ')}.")


def test_a_missing_capability_refuses_with_its_reason(harness):
    """Calling any method of a capability the provider does not declare raises
    CapabilityMissing carrying exactly the provider's reason, and sends nothing."""
    cls = type(harness.provider)
    missing = [c for c in Capability if not cls.supports(c)]
    if not missing:
        pytest.skip("declares every capability")
    for capability in missing:
        with pytest.raises(CapabilityMissing) as caught:
            CALL_FOR[capability](harness.provider)
        assert caught.value.message == cls.missing[capability], capability


def test_click_to_call_lives_to_a_final_status(harness):
    needs(harness, Capability.CLICK_TO_CALL)
    placed = harness.provider.click_to_call(
        ClickToCallRequest(
            agent_extension=harness.extension,
            agent_number="",
            customer_number=harness.customer_number,
            did_number=harness.did_number,
            reference="101",
        )
    )
    assert placed.provider_call_id
    harness.advance(600)
    if harness.provider.supports(Capability.WEBHOOKS):
        statuses = [u.status for u in updates_for(harness, placed.provider_call_id)]
        assert statuses and statuses[-1] in FINAL_STATUSES


def test_tts_call_is_placed(harness):
    needs(harness, Capability.TTS_CALL)
    placed = harness.provider.tts_call(tts_request(harness, "102", "Hello {name}", name="Asha"))
    assert placed.provider_call_id


def test_call_details_of_a_placed_call(harness):
    needs(harness, Capability.CALL_DETAILS)
    call_id = place_answered(harness, "103")
    harness.advance(600)
    details = harness.provider.call_details(call_id)
    assert details.provider_call_id == call_id
    assert details.status in FINAL_STATUSES | {CallStatus.IN_PROGRESS}


def test_forged_webhook_is_rejected(harness):
    needs(harness, Capability.WEBHOOKS)
    body = b'{"event": "hangup", "call_id": "x"}'
    signed = harness.extras.get("signs_webhooks", True)
    if not signed:
        pytest.skip(f"{harness.kind} does not sign webhooks (secret URL token instead)")
    with pytest.raises(WebhookRejected):
        harness.provider.verify_webhook(
            body=body, headers={"x-signature": "sha256=forged"}, now=datetime.now(UTC)
        )


def test_garbage_webhook_body_is_rejected_not_crashing(harness):
    needs(harness, Capability.WEBHOOKS)
    with pytest.raises(WebhookRejected):
        harness.provider.parse_webhook(b"\x00not json", {})


def test_dids_can_be_searched_and_bought(harness):
    needs(harness, Capability.DIDS)
    found = harness.provider.dids_search(region=harness.extras.get("did_region", ""))
    assert found
    bought = harness.provider.did_buy(found[0].number)
    assert bought.number == found[0].number


def test_connection_test_answers_with_a_line(harness):
    assert harness.provider.test_connection().strip()


def test_voicebot_call_lives_to_a_final_status(harness):
    needs(harness, Capability.VOICEBOT_CALL)
    placed = harness.provider.voicebot_call(
        OutboundCallRequest(
            to_number=harness.customer_number,
            did_number=harness.did_number,
            reference="104",
            bot_id=harness.extras.get("bot_id", ""),
            variables={"name": "Asha"},
        )
    )
    assert placed.provider_call_id
    harness.advance(600)
    if harness.provider.supports(Capability.WEBHOOKS):
        statuses = [u.status for u in updates_for(harness, placed.provider_call_id)]
        assert statuses and statuses[-1] in FINAL_STATUSES


def test_hosted_campaign_takes_numbers(harness):
    needs(harness, Capability.HOSTED_CAMPAIGN)
    number = CampaignNumber(harness.customer_number, reference="e1", variables={"name": "Asha"})
    # A provider whose API has no empty campaign takes the first numbers with the campaign.
    at_create = harness.provider.campaign_numbers_at_create
    provider_id = harness.provider.campaign_create(
        HostedCampaignSpec(
            name="Contract campaign",
            did_number=harness.did_number,
            template_name=harness.extras.get("template_name", ""),
            text="Hello {name}",
            bot_id=harness.extras.get("bot_id", ""),
            numbers=[number] if at_create else (),
        )
    )
    assert provider_id
    if at_create:
        return
    result = harness.provider.campaign_add_numbers(provider_id, [number])
    assert result.accepted == 1
    assert not result.rejected
    assert set(result.provider_ids) <= {"e1"}


def test_webhook_without_a_call_id_is_rejected(harness):
    needs(harness, Capability.WEBHOOKS)
    with pytest.raises(WebhookRejected):
        harness.provider.parse_webhook(b'{"status": "completed"}', {})
