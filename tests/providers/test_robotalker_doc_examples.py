"""Every JSON example of Robotalker's doc, verbatim (tests/providers/fixtures/robotalker/),
fed through the adapter: the answer served by the fake as the doc prints it, the webhook
parsed from its raw bytes, and the request body checked against what we send.

A shape nobody typed by hand is what the adapter is held to: our fake is our reading of
the doc, these files are the doc.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from telephony.providers.base import CallStatus, OutboundCallRequest
from telephony.providers.robotalker.adapter import RobotalkerProvider
from tests.contract.harness import config
from tests.fakes.robotalker import RobotalkerFake
from tests.providers.robotalker_support import fake_fixture as fake_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "robotalker"
DOC_WEBHOOK_URL = "https://yourapp.com/call-status"  # the doc's example webhook_url


def _doc_request(raw: bytes) -> OutboundCallRequest:
    """Our request for the call the doc's request body describes."""
    doc = json.loads(raw)
    return OutboundCallRequest(
        to_number=doc["to"],
        did_number=doc["from"],
        reference="1",
        text=doc["message"],
        variables=doc["variables"],
    )


def _request_body(fake: RobotalkerFake, provider: RobotalkerProvider, raw: bytes) -> None:
    """The doc's body is accepted as printed, and ours for the same call matches it
    field for field; of its DTMF actions we send the opt-out one (key 9, as printed)."""
    answer = requests.post(
        fake.base_url + "/api/v1/calls",
        data=raw,
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    [call] = fake.calls.values()
    assert call.message.startswith("Hello Sarah, this is a reminder about your appointment on")
    assert call.message.endswith(
        "Tuesday, April 15th at 3:15 PM. Press 1 to confirm or 2 to reschedule."
    )

    provider.tts_call(_doc_request(raw))
    ours = fake.requests_to("/api/v1/calls")[-1].json()
    doc = json.loads(raw)
    assert ours == {**doc, "dtmf": {"9": doc["dtmf"]["9"]}}


def _placed(fake: RobotalkerFake, provider: RobotalkerProvider, raw: bytes) -> Any:
    fake.canned("/api/v1/calls", raw, status=201)
    request = OutboundCallRequest(
        to_number="+12125550100", did_number="+18005550199", reference="1", text="Hello."
    )
    return provider.tts_call(request)


def _webhook(fake: RobotalkerFake, provider: RobotalkerProvider, raw: bytes) -> Any:
    [update] = provider.parse_webhook(raw, {"content-type": "application/json"})
    return update


# file -> (how it is fed, the expected mapped result) or a checker of its own.
CASES: dict[str, tuple[Callable, dict[str, Any]] | Callable] = {
    "sending-a-single-automated-call.request-body.json": _request_body,
    "sending-a-single-automated-call.response.json": (
        _placed,
        {"provider_call_id": "cal_9x7k2m4p", "status": CallStatus.QUEUED},
    ),
    "receiving-delivery-status-via-webhooks.call-completed.json": (
        _webhook,
        {
            "provider_call_id": "cal_9x7k2m4p",
            "status": CallStatus.COMPLETED,
            "provider_status": "answered",
            "event_type": "call.completed",
            "to_number": "+12125550100",
            "duration_seconds": 28,
            "dtmf": "1",
            "amd_result": "human",
            "occurred_at": datetime(2025, 4, 15, 10, 30, 45, tzinfo=UTC),
            "dedupe_key": "robotalker:call.completed:cal_9x7k2m4p",
        },
    ),
}


def test_every_example_file_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_docs_example_maps_as_expected(fake, name):
    raw = (FIXTURES / name).read_bytes()
    provider = RobotalkerProvider(
        config(
            "robotalker",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key},
            webhook_url=DOC_WEBHOOK_URL,
            default_region="US",
        )
    )
    case = CASES[name]
    if callable(case):
        case(fake, provider, raw)
        return
    feed, expected = case
    result = feed(fake, provider, raw)
    assert {key: getattr(result, key) for key in expected} == expected
    assert result.raw == json.loads(raw)  # kept whole
