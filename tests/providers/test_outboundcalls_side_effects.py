"""OutboundCalls.ai's side effects against its fake: an agent, a contact import, a
campaign, and start/pause/resume. Each is sent once; an answer we cannot read is
AmbiguousOutcome; an id is demanded only where we need one back.

The fake's "acted_garbage" and "acted_body" faults carry the request out (the agent
exists, the campaign dials) and then answer an HTML page, or a success without the id.
"""

import json

import pytest

from telephony.providers.base import (
    AgentSpec,
    AmbiguousOutcome,
    CampaignNumber,
    HostedCampaignSpec,
    InvalidRequest,
)
from telephony.providers.outboundcalls.adapter import OutboundCallsProvider
from tests.contract.harness import config
from tests.fakes.outboundcalls import OutboundCallsFake
from tests.providers.outboundcalls_support import fake_fixture as fake_fixture

CUSTOMER = "+14155550100"
OTHER = "+14155550101"


@pytest.fixture
def provider(fake):
    return OutboundCallsProvider(
        config(
            "outboundcalls",
            base_url=fake.base_url,
            credentials={"api_key": fake.api_key},
            default_region="US",
        )
    )


@pytest.fixture
def agent_id(fake):
    # Made straight in the fake's state: the agent endpoint is one of those under test.
    fake.agents["agent_ready1"] = {"id": "agent_ready1", "name": "Ava"}
    return "agent_ready1"


def _posts(fake, path):
    return [r for r in fake.requests_to(path) if r.method == "POST"]


def _spec(agent_id, *numbers):
    numbers = numbers or (CUSTOMER,)
    return HostedCampaignSpec(
        name="Renewals",
        bot_id=agent_id,
        numbers=[CampaignNumber(n, reference=f"e{i}") for i, n in enumerate(numbers)],
    )


def _draft(fake, provider, agent_id):
    campaign_id = provider.campaign_create(_spec(agent_id))
    fake.requests.clear()  # what follows counts the requests of the step under test
    return campaign_id


# -- an unreadable answer after the provider acted: ambiguous, sent once, everywhere ------------
def test_agent_create_answered_with_html_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("acted_garbage", path_contains="/agents")
    with pytest.raises(AmbiguousOutcome, match="creating the agent .*not JSON"):
        provider.agent_create(AgentSpec(name="Ava"))
    assert len(_posts(fake, "/agents")) == 1 and len(fake.agents) == 1


def test_contact_import_answered_with_html_is_ambiguous_and_sent_once(fake, provider, agent_id):
    fake.inject("acted_garbage", path_contains="/contacts/import")
    with pytest.raises(AmbiguousOutcome, match="importing the contacts .*not JSON"):
        provider.campaign_create(_spec(agent_id))
    assert len(_posts(fake, "/contacts/import")) == 1 and len(fake.contacts) == 1
    assert _posts(fake, "/v1/campaigns") == []  # nothing built on an unknown list


def test_campaign_create_answered_with_html_is_ambiguous_and_sent_once(fake, provider, agent_id):
    fake.inject("acted_garbage", path_contains="/v1/campaigns")
    with pytest.raises(AmbiguousOutcome, match="creating the campaign .*not JSON"):
        provider.campaign_create(_spec(agent_id))
    assert len(_posts(fake, "/v1/campaigns")) == 1 and len(fake.campaigns) == 1


def test_adding_numbers_answered_with_html_is_ambiguous_and_sent_once(fake, provider, agent_id):
    campaign_id = _draft(fake, provider, agent_id)
    fake.inject("acted_garbage", path_contains="/contacts/import")
    with pytest.raises(AmbiguousOutcome, match="importing the contacts .*not JSON"):
        provider.campaign_add_numbers(campaign_id, [CampaignNumber(OTHER, "e9")])
    assert len(_posts(fake, "/contacts/import")) == 1 and len(fake.contacts) == 2


@pytest.mark.parametrize("step", ["start", "pause", "resume"])
def test_a_campaign_step_answered_with_html_is_ambiguous_and_sent_once(
    fake, provider, agent_id, step
):
    campaign_id = _draft(fake, provider, agent_id)
    before = {"start": [], "pause": ["start"], "resume": ["start", "pause"]}[step]
    for earlier in before:
        getattr(provider, f"campaign_{earlier}")(campaign_id)
    fake.inject("acted_garbage", path_contains=f"/{step}")
    with pytest.raises(AmbiguousOutcome, match=f"moving campaign {campaign_id} .*not JSON"):
        getattr(provider, f"campaign_{step}")(campaign_id)
    assert len(_posts(fake, f"/{step}")) == 1
    expected = {"start": "running", "pause": "paused", "resume": "running"}[step]
    assert fake.campaigns[campaign_id].status == expected  # it happened


# -- a success without an id: ambiguous where we need the id, success where we do not ------
def test_agent_create_without_an_id_is_ambiguous_and_sent_once(fake, provider):
    fake.inject("acted_body", path_contains="/agents", body={"name": "Ava"}, status=201)
    with pytest.raises(AmbiguousOutcome, match="without `id` or `agent_id`"):
        provider.agent_create(AgentSpec(name="Ava"))
    assert len(_posts(fake, "/agents")) == 1 and len(fake.agents) == 1


def test_a_new_list_imported_without_its_id_is_ambiguous_and_sent_once(fake, provider, agent_id):
    fake.inject("acted_body", path_contains="/contacts/import", body={"imported": 1}, status=201)
    with pytest.raises(AmbiguousOutcome, match="without `list_id` or `contact_list_id` or `id`"):
        provider.campaign_create(_spec(agent_id))
    assert len(_posts(fake, "/contacts/import")) == 1
    assert _posts(fake, "/v1/campaigns") == []


def test_campaign_create_without_an_id_is_ambiguous_and_sent_once(fake, provider, agent_id):
    fake.inject("acted_body", path_contains="/v1/campaigns", body={"status": "draft"}, status=201)
    with pytest.raises(AmbiguousOutcome, match="without `id` or `campaign_id`"):
        provider.campaign_create(_spec(agent_id))
    assert len(_posts(fake, "/v1/campaigns")) == 1 and len(fake.campaigns) == 1


@pytest.mark.parametrize("answer", [{"success": True}, {}, b""])
def test_numbers_added_to_a_known_list_need_no_id_back(fake, provider, agent_id, answer):
    campaign_id = _draft(fake, provider, agent_id)
    fake.inject("acted_body", path_contains="/contacts/import", body=answer, status=200)
    result = provider.campaign_add_numbers(campaign_id, [CampaignNumber(OTHER, "e9")])
    # No counts in the answer: every row we sent counts as taken.
    assert (result.accepted, result.duplicates, tuple(result.rejected)) == (1, 0, ())
    assert len(_posts(fake, "/contacts/import")) == 1 and len(fake.contacts) == 2


@pytest.mark.parametrize(
    "answer", [{"success": True}, {"status": "running"}, {"data": {}}, b"", {"id": None}]
)
@pytest.mark.parametrize("step", ["start", "pause", "resume"])
def test_a_campaign_step_without_an_id_is_a_success_sent_once(
    fake, provider, agent_id, step, answer
):
    # We name the campaign in the path: its answer need not name it back.
    campaign_id = _draft(fake, provider, agent_id)
    for earlier in {"start": [], "pause": ["start"], "resume": ["start", "pause"]}[step]:
        getattr(provider, f"campaign_{earlier}")(campaign_id)
    fake.inject("acted_body", path_contains=f"/{step}", body=answer)
    getattr(provider, f"campaign_{step}")(campaign_id)
    assert len(_posts(fake, f"/{step}")) == 1


def test_a_campaign_step_the_provider_refuses_stays_a_refusal(fake, provider, agent_id):
    campaign_id = _draft(fake, provider, agent_id)
    with pytest.raises(InvalidRequest, match="Campaign is draft, not running"):
        provider.campaign_pause(campaign_id)
    assert len(_posts(fake, "/pause")) == 1


# -- the ids the import and the campaign answer with -------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        {"list_id": "list_a1"},
        {"contact_list_id": "list_a1", "imported": "1"},
        {"id": "list_a1", "total": 1},
        {"data": {"list_id": "list_a1"}},
    ],
)
def test_a_new_lists_id_is_read_whatever_its_name(fake, provider, agent_id, answer):
    fake.lists["list_a1"] = []  # the list the canned answer names
    fake.canned("/contacts/import", json.dumps(answer).encode(), status=201)
    campaign_id = provider.campaign_create(_spec(agent_id))
    assert fake.campaigns[campaign_id].contact_list_id == "list_a1"


def test_every_import_and_agent_shape_of_the_fake_is_accepted():
    # Seeds 0-3 start the fake's alternations at each of their shapes.
    for seed in range(4):
        fake = OutboundCallsFake(seed=seed).start()
        try:
            provider = OutboundCallsProvider(
                config(
                    "outboundcalls", base_url=fake.base_url, credentials={"api_key": fake.api_key}
                )
            )
            agent = provider.agent_create(AgentSpec(name="Ava"))
            assert agent.provider_id in fake.agents
            campaign_id = provider.campaign_create(_spec(agent.provider_id, CUSTOMER, OTHER))
            added = provider.campaign_add_numbers(
                campaign_id, [CampaignNumber("+14155550102", "e2")]
            )
            assert added.accepted == 1
            for step in ("start", "pause", "resume"):
                getattr(provider, f"campaign_{step}")(campaign_id)
            assert len(fake.lists[fake.campaigns[campaign_id].contact_list_id]) == 3
        finally:
            fake.stop()
