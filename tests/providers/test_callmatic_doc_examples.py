"""Every JSON example of Callmatic's doc (/work/shared/providers/callmatic.txt), copied
verbatim into fixtures/callmatic/, fed through the adapter.

Answers are served byte for byte by the fake (`fake.canned`) to the adapter method that
would receive them; the completion webhook goes through `parse_webhook` as raw bytes;
request examples are posted verbatim to the fake and held against what the adapter sends.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from telephony.providers.base import (
    AuthenticationFailed,
    CallStatus,
    CallUpdate,
    CampaignNumber,
    OutboundCallRequest,
)
from telephony.providers.callmatic.api import PATHS
from tests.providers.callmatic_support import fake_fixture as fake_fixture
from tests.providers.callmatic_support import make_provider
from tests.providers.doc_examples import last_sent, post_verbatim

FIXTURES = Path(__file__).parent / "fixtures" / "callmatic"
SINGLE = "/v1" + PATHS["trigger_call"][1]
BATCH = "/v1" + PATHS["trigger_batch"][1]
DOC_CALL = "e08bad66-ee60-458d-958f-a02b1f12d355"
DOC_CAMPAIGN = "a04c3520-c85c-4443-9ffd-7175625e9ecb"


def _provider(fake):
    return make_provider(fake, campaign_id=DOC_CAMPAIGN)


def _post_verbatim(fake, path, raw):
    return post_verbatim(fake.url + path, raw, {"api-key": fake.api_key})


_last_sent = last_sent


# -- request examples --------------------------------------------------------------------------
def single_call_request(raw: bytes, fake) -> None:
    assert _post_verbatim(fake, SINGLE, raw).status_code == 200
    doc = json.loads(raw)
    request = OutboundCallRequest(
        to_number=doc["phoneNumber"],
        did_number="",
        reference="7",
        campaign_ref=doc["campaignId"],
        variables=doc["variables"],
    )
    _provider(fake).voicebot_call(request)
    assert _last_sent(fake, SINGLE) == doc


def batch_request(raw: bytes, fake) -> None:
    assert _post_verbatim(fake, BATCH, raw).status_code == 200
    doc = json.loads(raw)
    numbers = [
        CampaignNumber(to["phoneNumber"], reference=f"e{i}", variables=to["variables"])
        for i, to in enumerate(doc["to"])
    ]
    _provider(fake).campaign_add_numbers(doc["campaignId"], numbers)
    assert _last_sent(fake, BATCH) == doc


# -- answers -------------------------------------------------------------------------------------
def single_call_answer(raw: bytes, fake) -> None:
    fake.canned(SINGLE, raw)
    request = OutboundCallRequest(to_number="7760524807", did_number="", reference="7")
    placed = _provider(fake).voicebot_call(request)
    assert (placed.provider_call_id, placed.status) == (DOC_CALL, CallStatus.QUEUED)


def batch_answer(raw: bytes, fake) -> None:
    fake.canned(BATCH, raw)
    number = CampaignNumber("+917760524807", reference="e1", variables={"name": "Shivank"})
    result = _provider(fake).campaign_add_numbers(DOC_CAMPAIGN, [number])
    assert (result.accepted, result.duplicates, result.rejected) == (1, 0, ())
    assert result.provider_ids == {"e1": DOC_CALL}


def the_docs_call(update: CallUpdate, base_url: str) -> None:
    """What the doc's one call object (details and webhook alike) maps to."""
    assert update.provider_call_id == DOC_CALL
    assert (update.status, update.provider_status) == (CallStatus.COMPLETED, "completed")
    assert update.direction == "outbound"
    assert update.to_number == "+917347087599"  # the doc's 10 digits, in E.164
    assert update.duration_seconds == 19  # 19.18 s
    assert update.occurred_at == datetime(2025, 8, 29, 14, 14, 6, tzinfo=UTC)  # endTime
    assert update.transcript == [
        {"speaker": "bot", "text": "नमस्ते, मैं राधा बोल रही हूँ, XYZ से..."},
        {"speaker": "customer", "text": "Yes."},
    ]
    assert update.summary == "आशु जी का 706 रुपये का लोन भुगतान बकाया है..."
    assert update.recording_url == f"{base_url}/recordings/{DOC_CALL}"
    assert update.raw["campaignId"] == DOC_CAMPAIGN


def details_answer(raw: bytes, fake) -> None:
    fake.canned(f"/v1/calls/{DOC_CALL}", raw)
    provider = _provider(fake)
    update = provider.call_details(DOC_CALL)
    assert update.event_type == "details"
    the_docs_call(update, fake.base_url)


def error_answer(raw: bytes, fake) -> None:
    # The doc gives no status code for its error example; 401 is the fake's guess.
    fake.canned(SINGLE, raw, status=401)
    request = OutboundCallRequest(to_number="7760524807", did_number="", reference="7")
    with pytest.raises(AuthenticationFailed, match=r"rejected the API key \(Invalid API key\)"):
        _provider(fake).voicebot_call(request)
    assert len(fake.requests_to(SINGLE)) == 1 and not fake.calls


def completion_webhook(raw: bytes, fake) -> None:
    provider = _provider(fake)
    provider.verify_webhook(body=raw, headers={}, now=datetime.now(UTC))  # unsigned: accepted
    [update] = provider.parse_webhook(raw, {})
    assert update.event_type == "completed" and update.dedupe_key.startswith("callmatic:")
    the_docs_call(update, fake.base_url)


CASES: dict[str, Callable] = {
    "trigger_a_single_call.request_body_example.json": single_call_request,
    "trigger_a_single_call.response_example.json": single_call_answer,
    "trigger_batch_calls.request_body_example.json": batch_request,
    "trigger_batch_calls.response_example.json": batch_answer,
    "get_call_status_and_details.response_example.json": details_answer,
    "error_handling.example.json": error_answer,
    "webhook_callback_notification.request_body.json": completion_webhook,
}


def test_every_fixture_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_doc_example(name, fake):
    CASES[name]((FIXTURES / name).read_bytes(), fake)


def test_the_webhook_example_is_the_details_example_unwrapped():
    # The doc: the webhook body is the call's details; both fixtures must agree.
    details = json.loads(
        (FIXTURES / "get_call_status_and_details.response_example.json").read_text()
    )
    webhook = json.loads((FIXTURES / "webhook_callback_notification.request_body.json").read_text())
    assert details["data"] == webhook
