"""The CallKaro fake, exercised over real HTTP with `requests` (no Django, no database): the
paths table, auth, and the outbound-call and campaign requests. Calls on the clock, the
webhook and faults: test_callkaro_fake_clock.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.fakes.callkaro import PATHS, STATUS_WORDS, TERMINAL_STATUSES, CallKaroFake, Fake
from tests.fakes.callkaro_support import AGENT, KEY, OBJECT_ID_RE, OTHER_AGENT, call, post
from tests.fakes.callkaro_support import fake_fixture as fake_fixture
from tests.fakes.callkaro_support import receiver_fixture as receiver_fixture


# -- the table adapters will import ---------------------------------------------------------
def test_paths_table_is_importable_and_marks_doc_or_guess() -> None:
    assert Fake is CallKaroFake
    assert PATHS == {
        "outbound_call": ("POST", "/call/outbound", "doc"),
        "create_campaign": ("POST", "/call/campaign", "doc"),
    }
    assert set(STATUS_WORDS.values()) == {"guess"}  # the doc names no status word
    assert set(STATUS_WORDS) >= TERMINAL_STATUSES


# -- auth -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(PATHS))
def test_missing_key_is_the_docs_403(fake: CallKaroFake, name: str) -> None:
    method, path, _ = PATHS[name]
    body = {"to_number": "+919876543210", "agent_id": AGENT, "name": "X"}
    for headers in ({}, {"X-API-KEY": ""}):
        resp = requests.request(method, fake.url + path, json=body, headers=headers, timeout=5)
        assert resp.status_code == 403
        assert resp.json() == {"status": "error", "message": "Missing X-API-KEY in headers"}
    assert fake.calls == {} and fake.batches == {}


@pytest.mark.parametrize("name", sorted(PATHS))
def test_wrong_key_is_rejected(fake: CallKaroFake, name: str) -> None:
    method, path, _ = PATHS[name]
    body = {"to_number": "+919876543210", "agent_id": AGENT, "name": "X"}
    resp = requests.request(
        method, fake.url + path, json=body, headers={"X-API-KEY": "wrong"}, timeout=5
    )
    assert resp.status_code == 403
    assert resp.json() == {"status": "error", "message": "Invalid X-API-KEY"}
    assert fake.calls == {} and fake.batches == {}


def test_the_header_name_is_case_insensitive_like_http(fake: CallKaroFake) -> None:
    resp = requests.post(
        fake.url + "/call/outbound",
        json={"to_number": "+919876543210", "agent_id": AGENT},
        headers={"x-api-key": KEY},
        timeout=5,
    )
    assert resp.status_code == 200


# -- POST /call/outbound --------------------------------------------------------------------
def test_outbound_call_with_every_documented_field(fake: CallKaroFake) -> None:
    body = {
        "to_number": "+919876543210",
        "agent_id": AGENT,
        "metadata": {"key1": "Value 1", "key2": 5, "city": "Bangalore"},
        "schedule_at": "2026-01-06T09:30:00",
        "min_trigger_time": "08:30",
        "max_trigger_time": "20:30",
        "carry_over": True,
        "number_of_retries": 3,
        "gap_between_retries": [30, 120],
        "priority": 0,
    }
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["status"] == "success"
    assert payload["message"] == "Call initiated successfully"
    assert OBJECT_ID_RE.match(payload["call_id"])
    stored = fake.calls[payload["call_id"]]
    assert stored.metadata == body["metadata"]
    assert stored.gap_between_retries == [30, 120]
    assert stored.number_of_retries == 3 and stored.carry_over is True
    assert stored.schedule_at == datetime(2026, 1, 6, 4, 0, tzinfo=UTC)  # 09:30 India time
    assert stored.status == "scheduled"


@pytest.mark.parametrize("extra", [{}, {"agent_id": ""}, {"batch_id": "68433b7b0dee98e59245ebab"}])
def test_missing_agent_id_is_the_docs_400(fake: CallKaroFake, extra: dict[str, Any]) -> None:
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", **extra})
    assert resp.status_code == 400
    assert resp.json() == {"status": "error", "message": "Missing agent_id"}
    assert fake.calls == {}


def test_missing_to_number_is_a_400(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/outbound", {"agent_id": AGENT})
    assert resp.status_code == 400
    assert resp.json() == {"status": "error", "message": "Missing to_number"}


def test_unknown_agent_is_the_docs_404(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": "nope"})
    assert resp.status_code == 404
    assert resp.json() == {"status": "error", "message": "Agent does not exist"}
    assert fake.calls == {}


def test_agents_added_by_a_test_can_be_used(fake: CallKaroFake) -> None:
    fake.add_agent("agent-added")
    assert call(fake, agent_id="agent-added") in fake.calls


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("to_number", "9876543210", "international format"),
        ("to_number", "+91 98765 43210", "international format"),
        ("to_number", 919876543210, "international format"),
        ("priority", 101, "between -100 and 100"),
        ("priority", -101, "between -100 and 100"),
        ("priority", "5", "between -100 and 100"),
        ("priority", True, "between -100 and 100"),
        ("priority", 1.5, "between -100 and 100"),
        ("number_of_retries", -1, "number_of_retries"),
        ("number_of_retries", "3", "number_of_retries"),
        ("gap_between_retries", [30, "60"], "gap_between_retries"),
        ("gap_between_retries", [], "gap_between_retries"),
        ("gap_between_retries", -5, "gap_between_retries"),
        ("gap_between_retries", "30", "gap_between_retries"),
        ("schedule_at", "tomorrow morning", "schedule_at"),
        ("schedule_at", 1767600000, "schedule_at"),
        ("min_trigger_time", "8.30", "min_trigger_time"),
        ("max_trigger_time", "24:00", "max_trigger_time"),
        ("carry_over", "yes", "carry_over"),
        ("metadata", ["Bangalore"], "metadata"),
        ("agent_id", 42, "agent_id"),
    ],
)
def test_each_field_is_validated(fake: CallKaroFake, field: str, value: Any, message: str) -> None:
    body = {"to_number": "+919876543210", "agent_id": AGENT, field: value}
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["status"] == "error"
    assert message in resp.json()["message"]
    assert fake.calls == {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("priority", 100),
        ("priority", -100),
        ("priority", 0),
        ("gap_between_retries", 30),
        ("gap_between_retries", [30, 60]),
        ("number_of_retries", 0),
        ("schedule_at", "2026-01-05T16:00:00+05:30"),
        ("schedule_at", "2026-01-05T10:30:00Z"),
    ],
)
def test_valid_values_at_the_edges_are_accepted(fake: CallKaroFake, field: str, value: Any) -> None:
    resp = post(
        fake, "/call/outbound", {"to_number": "+14155550100", "agent_id": AGENT, field: value}
    )
    assert resp.status_code == 200, resp.text


def test_trigger_window_must_open_before_it_closes(fake: CallKaroFake) -> None:
    body = {"min_trigger_time": "20:30", "max_trigger_time": "08:30"}
    resp = post(fake, "/call/outbound", {"to_number": "+919876543210", "agent_id": AGENT, **body})
    assert resp.status_code == 400
    assert "min_trigger_time" in resp.json()["message"]


def test_malformed_json_is_a_400_in_the_docs_shape(fake: CallKaroFake) -> None:
    resp = requests.post(
        fake.url + "/call/outbound",
        data=b"{not json",
        headers={"X-API-KEY": KEY, "Content-Type": "application/json"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert resp.json()["status"] == "error"


# -- POST /call/campaign and calls carrying batch_id -------------------------------------------
def test_campaign_gives_a_batch_id_that_calls_carry(fake: CallKaroFake) -> None:
    resp = post(fake, "/call/campaign", {"name": "Inspection Campaign", "agent_id": OTHER_AGENT})
    assert resp.status_code == 200
    payload = resp.json()
    assert payload["status"] == "success"
    assert payload["message"] == "Campaign created successfully"
    batch_id = payload["batch_id"]
    assert OBJECT_ID_RE.match(batch_id)

    # The doc's "schedule campaign" body leaves agent_id out; its field table requires it.
    body = {
        "to_number": "+919876543210",
        "batch_id": batch_id,
        "metadata": {"city": "Bangalore"},
        "number_of_retries": 3,
        "gap_between_retries": 30,
    }
    refused = post(fake, "/call/outbound", body)
    assert refused.status_code == 400
    assert refused.json() == {"status": "error", "message": "Missing agent_id"}
    assert fake.calls == {}
    scheduled = post(fake, "/call/outbound", {**body, "agent_id": OTHER_AGENT})
    assert scheduled.status_code == 200
    stored = fake.calls[scheduled.json()["call_id"]]
    assert stored.batch_id == batch_id
    assert stored.agent_id == OTHER_AGENT
    assert stored.number_of_retries == 3 and stored.gap_between_retries == [30]
    assert fake.batches[batch_id].call_ids == [stored.call_id]


def test_a_call_in_a_batch_may_name_another_agent(fake: CallKaroFake) -> None:
    # guess: the doc does not say; the call runs the agent it names.
    batch_id = post(fake, "/call/campaign", {"name": "C", "agent_id": OTHER_AGENT}).json()[
        "batch_id"
    ]
    call_id = call(fake, batch_id=batch_id)
    assert fake.calls[call_id].agent_id == AGENT


def test_unknown_batch_is_a_404(fake: CallKaroFake) -> None:
    body = {"to_number": "+919876543210", "agent_id": AGENT, "batch_id": "68433b7b0dee98e59245ebab"}
    resp = post(fake, "/call/outbound", body)
    assert resp.status_code == 404
    assert resp.json() == {"status": "error", "message": "Batch does not exist"}
    assert fake.calls == {}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"agent_id": AGENT}, 400, "Missing name"),
        ({"name": "Inspection Campaign"}, 400, "Missing agent_id"),
        ({"name": "Inspection Campaign", "agent_id": "nope"}, 404, "Agent does not exist"),
    ],
)
def test_campaign_checks_its_fields(
    fake: CallKaroFake, body: dict[str, Any], status: int, message: str
) -> None:
    resp = post(fake, "/call/campaign", body)
    assert resp.status_code == status
    assert resp.json() == {"status": "error", "message": message}
    assert fake.batches == {}


def test_batch_ids_are_distinct(fake: CallKaroFake) -> None:
    ids = {
        post(fake, "/call/campaign", {"name": f"C{i}", "agent_id": AGENT}).json()["batch_id"]
        for i in range(5)
    }
    assert len(ids) == 5 and set(fake.batches) == ids
