"""The OutboundCalls.ai fake over real HTTP: auth, validation, agents and contacts, credits,
rate-limit headers and the shapes the doc does not give. Campaigns that dial on
`advance()` and their signed webhooks: test_outboundcalls_fake_campaigns.py.

No Django and no database: the fake and a tiny webhook receiver, both on 127.0.0.1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from tests.fakes.outboundcalls import PATHS, OutboundCallsFake
from tests.fakes.outboundcalls_support import (
    AUTH,
    KEY,
    Receiver,
    amount,
    api,
    ident,
    list_id_of,
    phones,
    plain,
    setup_campaign,
    start,
)
from tests.fakes.outboundcalls_support import fake_fixture as fake_fixture
from tests.fakes.outboundcalls_support import receiver_fixture as receiver_fixture


# -- auth and validation --------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"X-API-Key": KEY}])
def test_a_wrong_or_missing_key_is_401_and_still_carries_rate_headers(
    fake: OutboundCallsFake, headers: dict[str, str]
) -> None:
    response = api(fake, "create_agent", {"name": "Ava"}, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or missing API key"}
    assert response.headers["X-RateLimit-Remaining"] == "100"  # spent nothing
    assert fake.agents == {}


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("create_agent", {"voice": "alloy"}, "name"),
        ("create_contact", {"first_name": "Al"}, "phone_number"),
        ("import_contacts", {"list_id": "list_a"}, "contacts"),
        ("create_campaign", {"name": "x", "contact_list_id": "list_a"}, "agent_id"),
        ("purchase_credits", {}, "amount"),
    ],
)
def test_a_missing_required_field_is_400_naming_it(
    fake: OutboundCallsFake, name: str, body: dict[str, Any], field: str
) -> None:
    response = api(fake, name, body)
    assert response.status_code == 400
    assert field in response.json()["error"]


def test_an_unknown_field_is_400(fake: OutboundCallsFake) -> None:
    response = api(fake, "create_agent", {"name": "Ava", "voise": "alloy"})
    assert response.status_code == 400
    assert response.json() == {"error": "Unknown field(s): voise"}


@pytest.mark.parametrize("number", ["02079460000", "+44 20 7946 0000", "+0442079460000", 44])
def test_non_e164_numbers_are_rejected_and_a_bad_row_rejects_the_whole_import(
    fake: OutboundCallsFake, number: Any
) -> None:
    assert api(fake, "create_contact", {"phone_number": number}).status_code == 400
    rows = [{"phone_number": "+442079460000"}, {"phone_number": number}]
    response = api(fake, "import_contacts", {"contacts": rows})
    assert response.status_code == 400
    assert "contacts[1].phone_number" in response.json()["error"]
    assert fake.contacts == {}
    good = api(fake, "create_contact", {"phone_number": "+442079460000"}).json()
    patched = api(fake, "update_contact", {"phone_number": number}, id=good["id"])
    assert patched.status_code == 400
    assert fake.contacts[good["id"]]["phone_number"] == "+442079460000"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schedule": {"timezone": "Mars/Olympus"}}, "schedule.timezone"),
        ({"schedule": {"calling_hours": {"start": "18:00", "end": "09:00"}}}, "before end"),
        ({"schedule": {"calling_hours": {"start": "9:00", "end": "18:00"}}}, "HH:MM"),
        ({"schedule": {"start_date": "2026-02-30"}}, "not a real date"),
        ({"retry_rules": {"max_attempts": 0}}, "max_attempts"),
        ({"retry_rules": {"delay_minutes": "60"}}, "delay_minutes"),
        ({"concurrent_calls": 0}, "concurrent_calls"),
        ({"agent_id": "agent_nope00"}, "no agent"),
        ({"contact_list_id": "list_nope00"}, "no contact list"),
        ({"contacts": []}, "Unknown field"),
    ],
)
def test_a_campaign_with_a_bad_field_is_400(
    fake: OutboundCallsFake, change: dict[str, Any], message: str
) -> None:
    agent = api(fake, "create_agent", {"name": "Ava"}).json()
    imported = api(fake, "import_contacts", {"contacts": [{"phone_number": "+442079460000"}]})
    body = {"name": "x", "agent_id": agent["id"], "contact_list_id": imported.json()["list_id"]}
    response = api(fake, "create_campaign", {**body, **change})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert fake.campaigns == {}


# -- agents and contacts -------------------------------------------------------------------
def test_agents_can_be_created_listed_read_updated_and_deleted(fake: OutboundCallsFake) -> None:
    created = api(fake, "create_agent", {"name": "Ava", "voice": "alloy"})
    assert created.status_code == 201
    agent_id = ident(created.json(), "id", "agent_id")
    assert agent_id.startswith("agent_")
    assert [a["id"] for a in api(fake, "list_agents").json()["data"]] == [agent_id]
    fake.advance(5)
    updated = plain(api(fake, "update_agent", {"prompt": "Be brief."}, id=agent_id).json())
    assert (updated["name"], updated["voice"], updated["prompt"]) == ("Ava", "alloy", "Be brief.")
    assert updated["updated_at"] == "2026-01-05T10:00:05Z"
    assert api(fake, "update_agent", {"name": ""}, id=agent_id).status_code == 400
    assert plain(api(fake, "agent_details", id=agent_id).json()) == updated
    deleted = plain(api(fake, "delete_agent", id=agent_id).json())
    assert deleted == {"id": agent_id, "deleted": True}
    assert api(fake, "agent_details", id=agent_id).status_code == 404


def test_an_agent_a_live_campaign_uses_cannot_be_deleted(fake: OutboundCallsFake) -> None:
    campaign_id, _ = setup_campaign(fake, phones(1))
    agent_id = fake.campaigns[campaign_id].agent_id
    assert api(fake, "delete_agent", id=agent_id).status_code == 409
    assert agent_id in fake.agents


def test_importing_into_a_list_updates_numbers_already_in_it(fake: OutboundCallsFake) -> None:
    first = api(fake, "import_contacts", {"contacts": [{"phone_number": n} for n in phones(2)]})
    assert first.status_code == 201
    list_id = list_id_of(first.json())
    rows = [
        {"phone_number": phones(1)[0], "first_name": "Ann", "timezone": "Europe/London"},
        {"phone_number": phones(1, start=5)[0]},
    ]
    # The campaign body's name for the list (doc) is accepted as well as `list_id`.
    again = api(fake, "import_contacts", {"contact_list_id": list_id, "contacts": rows}).json()
    assert list_id_of(again) == list_id
    counts = again.get("data", again)
    assert counts["total_contacts"] == 3
    # Counts the doc does not show: a number, text, or left out.
    assert {k: int(counts[k]) for k in ("imported", "updated") if k in counts}.items() <= {
        "imported": 1,
        "updated": 1,
    }.items()
    listed = api(fake, "list_contacts", params={"list_id": list_id, "limit": 2}).json()
    assert listed.get("has_more", True) is True  # absent: a full page may have more
    assert listed["data"][0]["first_name"] == "Ann"
    assert listed["data"][0]["status"] == "new"
    contact_id = str(listed["data"][1]["id"])
    assert api(fake, "delete_contact", id=contact_id).status_code == 200
    assert len(fake.lists[list_id]) == 2
    assert api(fake, "update_contact", {"status": "called"}, id=contact_id).status_code == 404


# -- credits -------------------------------------------------------------------------------
def test_calls_spend_credits_and_credits_low_fires_once_per_drop(
    fake: OutboundCallsFake, receiver: Receiver
) -> None:
    numbers = phones(3)
    for number in numbers:
        fake.force_outcome(number, "completed")
    threshold = fake.low_credit_threshold
    fake.set_credits(threshold)
    campaign_id, _ = setup_campaign(fake, numbers[:2])
    start(fake, campaign_id)
    fake.advance(3600)

    spent = [c.credits_used for c in fake.calls.values()]
    assert spent == [-(-c.duration_seconds // 60) for c in fake.calls.values()]
    assert all(cost > 0 for cost in spent)
    balance = amount(api(fake, "credit_balance").json()["balance"])
    assert balance == threshold - sum(spent)
    usage = api(fake, "credit_usage", params={"campaign_id": campaign_id}).json()
    assert amount(usage["total_credits"]) == sum(spent)
    assert [str(row["call_id"]) for row in usage["data"]] == list(fake.calls)
    low = receiver.events("credits.low")
    assert [amount(e["data"]["balance"]) for e in low] == [threshold - spent[0]]  # not again

    purchase = api(fake, "purchase_credits", {"amount": int(threshold - balance)})
    assert purchase.status_code == 201
    assert purchase.json()["balance"] == threshold
    second_id, _ = setup_campaign(fake, numbers[2:])
    start(fake, second_id)
    fake.advance(3600)
    assert len(receiver.events("credits.low")) == 2  # a new drop is news again


def test_an_empty_balance_dials_nothing_until_credits_are_bought(
    fake: OutboundCallsFake,
) -> None:
    campaign_id, _ = setup_campaign(fake, phones(2))
    fake.set_credits(0)
    start(fake, campaign_id)
    fake.advance(3600)
    assert fake.calls == {}
    assert api(fake, "purchase_credits", {"amount": 0}).status_code == 400
    assert api(fake, "purchase_credits", {"amount": 50}).status_code == 201
    fake.advance(60)
    first = min(call.created_at for call in fake.calls.values())
    assert first == datetime(2026, 1, 5, 11, 0, tzinfo=UTC)  # dialed as soon as it can pay


# -- rate limits ---------------------------------------------------------------------------
def test_rate_limit_headers_count_down_then_429_until_the_window_resets() -> None:
    server = OutboundCallsFake(tier_limit_per_minute=5).start()
    try:
        reset = str(int(datetime(2026, 1, 5, 10, 1, tzinfo=UTC).timestamp()))
        seen = []
        for _ in range(5):
            response = api(server, "list_agents")
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Reset"] == reset
            seen.append(response.headers["X-RateLimit-Remaining"])
        assert seen == ["4", "3", "2", "1", "0"]
        limited = api(server, "credit_balance")
        assert limited.status_code == 429
        assert limited.json() == {"error": "Rate limit exceeded"}
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert limited.headers["Retry-After"] == "60"

        server.advance(60)
        fresh = api(server, "list_agents")
        assert fresh.status_code == 200
        assert fresh.headers["X-RateLimit-Remaining"] == "4"
        assert int(fresh.headers["X-RateLimit-Reset"]) == int(reset) + 60
    finally:
        server.stop()


def test_rate_headers_are_on_fault_and_not_found_answers_too(fake: OutboundCallsFake) -> None:
    fake.inject("500")
    assert set(api(fake, "list_agents").headers) >= {"X-RateLimit-Remaining", "X-RateLimit-Reset"}
    missing = requests.get(fake.base_url + "/nowhere", headers=AUTH, timeout=5)
    assert missing.status_code == 404
    assert "X-RateLimit-Remaining" in missing.headers


def test_every_path_in_the_table_is_served(fake: OutboundCallsFake) -> None:
    for name, (method, path, source) in PATHS.items():
        assert source in ("doc", "guess")
        url = fake.base_url + path.format(id="x_nope00")
        response = requests.request(method, url, json={}, headers=AUTH, timeout=5)
        assert not response.json().get("error", "").startswith("No route"), name


# -- shapes the doc does not give vary -----------------------------------------------------
def test_answers_the_doc_does_not_show_alternate_their_shape(fake: OutboundCallsFake) -> None:
    agents = [api(fake, "create_agent", {"name": f"A{i}"}).json() for i in range(2)]
    assert {("id" if "id" in a else "agent_id") for a in agents} == {"id", "agent_id"}
    imports = [
        api(fake, "import_contacts", {"contacts": [{"phone_number": n}]}).json() for n in phones(4)
    ]
    list_keys = {
        next(k for k in ("list_id", "contact_list_id", "id", "data") if k in a) for a in imports
    }
    assert list_keys == {"list_id", "contact_list_id", "id", "data"}
    assert all(list_id_of(a) in fake.lists for a in imports)
    balances = [api(fake, "credit_balance").json()["balance"] for _ in range(3)]
    assert {type(b) for b in balances} == {int, float, str}
    assert {amount(b) for b in balances} == {Decimal(fake.credits)}

    campaign_id, _ = setup_campaign(fake, phones(1, start=10))
    answers = []
    for step in ("start", "pause", "resume", "pause", "resume"):
        answer = api(fake, f"{step}_campaign", id=campaign_id)
        answers.append("empty" if answer.status_code == 204 else sorted(plain(answer.json())))
    assert "empty" in answers and ["success"] in answers and ["status"] in answers
    assert any(isinstance(a, list) and "stats" in a for a in answers)  # the campaign itself
    numeric = [c for c in fake.contacts if c.isdigit()]
    assert numeric and len(numeric) < len(fake.contacts)  # some contacts are numbered
