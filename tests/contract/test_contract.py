"""The contract every provider honours for each capability it declares.

Runs against every registered harness (sandbox, and each provider's HTTP fake).
"""

from datetime import UTC, datetime

import pytest

from telephony.providers.base import (
    FINAL_STATUSES,
    CallStatus,
    CallUpdate,
    Capability,
    CapabilityMissing,
    ClickToCallRequest,
    OutboundCallRequest,
    WebhookRejected,
)
from tests.contract.conftest import needs


def _updates_for(harness, call_id: str) -> list[CallUpdate]:
    out = []
    for body, headers in harness.webhooks():
        harness.provider.verify_webhook(body=body, headers=headers, now=datetime.now(UTC))
        out += [
            u
            for u in harness.provider.parse_webhook(body, headers)
            if u.provider_call_id == call_id
        ]
    return out


def test_declared_capabilities_are_known_and_missing_ones_explained(harness):
    for capability in Capability:
        if not harness.provider.supports(capability):
            assert harness.provider.missing_reason(capability)


def test_a_missing_capability_refuses_with_its_reason(harness):
    missing = [c for c in Capability if not harness.provider.supports(c)]
    if not missing:
        pytest.skip("declares every capability")
    if Capability.CLICK_TO_CALL in missing:
        with pytest.raises(CapabilityMissing):
            harness.provider.click_to_call(
                ClickToCallRequest("2101", "", harness.customer_number, harness.did_number, "1")
            )


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
        statuses = [u.status for u in _updates_for(harness, placed.provider_call_id)]
        assert statuses and statuses[-1] in FINAL_STATUSES


def test_tts_call_is_placed(harness):
    needs(harness, Capability.TTS_CALL)
    placed = harness.provider.tts_call(
        OutboundCallRequest(
            to_number=harness.customer_number,
            did_number=harness.did_number,
            reference="102",
            text="Hello {name}",
            template_name=harness.extras.get("template_name", "api_order_confirm"),
            variables={"name": "Asha"},
        )
    )
    assert placed.provider_call_id


def test_call_details_of_a_placed_call(harness):
    needs(harness, Capability.CALL_DETAILS)
    place = harness.extras.get("place_for_details")
    if place is None:
        placed = harness.provider.click_to_call(
            ClickToCallRequest(
                harness.extension, "", harness.customer_number, harness.did_number, "103"
            )
        )
        call_id = placed.provider_call_id
    else:
        call_id = place()
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
