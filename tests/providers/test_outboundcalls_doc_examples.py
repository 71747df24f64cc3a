"""Every JSON example of OutboundCalls.ai's doc, verbatim
(tests/providers/fixtures/outboundcalls/), fed through the adapter and the fake.

The doc has one JSON example, the campaign body of its cURL call, and the same body as a
JavaScript object (not JSON, kept as .txt) whose answer it reads as `campaign.id`
("camp_def456"). It shows no answer, no webhook and no credits payload: those shapes are
our guess, varied by the fake (tests/fakes/outboundcalls_shapes.py).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from telephony.providers.base import CampaignNumber, HostedCampaignSpec
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from tests.fakes.outboundcalls import OutboundCallsFake
from tests.providers.outboundcalls_support import bare_provider
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture

FIXTURES = Path(__file__).parent / "fixtures" / "outboundcalls"
CURL = "code-examples.curl.json"


def _doc_spec(doc: dict) -> HostedCampaignSpec:
    """Our campaign for the one the doc's body describes."""
    start = datetime(2026, 3, 25, 9, 0, tzinfo=ZoneInfo(doc["schedule"]["timezone"]))
    hours = doc["schedule"]["calling_hours"]
    return HostedCampaignSpec(
        name=doc["name"],
        bot_id=doc["agent_id"],
        window_start=hours["start"],
        window_end=hours["end"],
        time_zone=doc["schedule"]["timezone"],
        concurrency=doc["concurrent_calls"],
        retries=doc["retry_rules"]["max_attempts"] - 1,
        retry_gaps_minutes=(doc["retry_rules"]["delay_minutes"],) * 2,
        schedule_at=start,
        numbers=[CampaignNumber("+442079460000", "e1")],
    )


def _with_doc_ids(fake: OutboundCallsFake, doc: dict) -> None:
    """The agent and list the doc's body names, as if made on its dashboard."""
    fake.agents[doc["agent_id"]] = {"id": doc["agent_id"], "name": "Doc agent"}
    fake.lists[doc["contact_list_id"]] = []


def _curl_body(fake: OutboundCallsFake, provider: OutboundCallsProvider, raw: bytes) -> None:
    """The doc's body is accepted as printed, and ours for the same campaign is it, field
    for field, once the import answers with the doc's list id."""
    doc = json.loads(raw)
    _with_doc_ids(fake, doc)
    answer = requests.post(
        fake.base_url + "/campaigns",
        data=raw,
        headers={"Authorization": f"Bearer {fake.api_key}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["id"].startswith("camp_")  # doc: `campaign.id`, "camp_def456"

    fake.canned("/contacts/import", {"list_id": doc["contact_list_id"]}, status=201)
    campaign_id = provider.campaign_create(_doc_spec(doc))
    sent = [r for r in fake.requests_to("/campaigns") if r.method == "POST"][-1]
    assert sent.json() == doc
    assert fake.campaigns[campaign_id].schedule == doc["schedule"]


def _javascript(fake: OutboundCallsFake, provider: OutboundCallsProvider, raw: bytes) -> None:
    """Not JSON: its object literal is the cURL body, and the id it reads from the answer
    (`campaign.id`) is the campaign id we keep."""
    text = raw.decode()
    literal = text[text.index("JSON.stringify(") + len("JSON.stringify(") : text.index("),\n});")]
    quoted = re.sub(r"(\w+):(?=\s)", r'"\1":', literal.replace("'", '"'))  # keys, not 09:00
    as_json = re.sub(r",(\s*[}\]])", r"\1", quoted)  # no trailing commas
    doc = json.loads((FIXTURES / CURL).read_bytes())
    assert json.loads(as_json) == doc
    [shown_id] = re.findall(r'console\.log\(campaign\.id\); // "([^"]+)"', text)
    _with_doc_ids(fake, doc)
    fake.canned("/contacts/import", {"list_id": doc["contact_list_id"]}, status=201)
    fake.canned("/campaigns", {"id": shown_id}, status=201)
    assert provider.campaign_create(_doc_spec(doc)) == shown_id == "camp_def456"


CASES = {
    CURL: _curl_body,
    "code-examples.javascript.txt": _javascript,
}


def test_every_example_file_has_a_case():
    assert {p.name for p in FIXTURES.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_docs_example_holds(fake, name):
    provider = bare_provider(fake)
    CASES[name](fake, provider, (FIXTURES / name).read_bytes())
