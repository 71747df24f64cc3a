"""The OutboundCalls.ai fake over real HTTP: auth, validation, campaigns that dial on
`advance()`, signed webhooks, rate-limit headers and credits.

No Django and no database: the fake and a tiny webhook receiver, both on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from threading import Thread
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fakes.outboundcalls import (
    CONNECTED_STATUSES,
    OUTCOME_WORDS,
    PATHS,
    STATUS_WORDS,
    OutboundCallsFake,
)
from tests.fakes.outboundcalls_shapes import (
    EXTRA_FIELDS,
    RECORDING_TYPES,
    SIGNATURE_FORMS,
    SIGNATURE_HEADERS,
)

KEY = "oc-test-key"
SECRET = "oc-webhook-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}
# The doc's six webhook events.
DOC_EVENTS = {
    "call.started",
    "call.completed",
    "call.failed",
    "campaign.completed",
    "contact.updated",
    "credits.low",
}


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every POST it gets."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval.
        Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/oc"

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        payloads = [json.loads(body) for _, body in self.posts]
        return [p for p in payloads if name is None or p["event"] == name]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


@pytest.fixture
def fake(receiver: Receiver) -> Iterator[OutboundCallsFake]:
    server = OutboundCallsFake(seed=0).start()
    server.webhook_url = receiver.url  # the dashboard's "Settings > Webhooks"
    yield server
    server.stop()


def api(
    fake: OutboundCallsFake,
    name: str,
    body: Any = None,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **ids: str,
) -> requests.Response:
    method, path, _ = PATHS[name]
    url = fake.base_url + path.format(**ids)
    headers = AUTH if headers is None else headers
    return requests.request(method, url, json=body, params=params, headers=headers, timeout=5)


def ident(answer: dict[str, Any], *keys: str) -> str:
    """An id where the doc shows none: the fake answers it under one of `keys` (or under
    `data`), as a number or as text."""
    for scope in (answer, answer.get("data") or {}):
        for key in keys:
            if scope.get(key) is not None:
                return str(scope[key])
    raise AssertionError(f"none of {keys} in {answer}")


def list_id_of(imported: dict[str, Any]) -> str:
    return ident(imported, "list_id", "contact_list_id", "id")


def plain(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without the extra fields the fake adds to some answers."""
    return {k: v for k, v in answer.items() if k not in EXTRA_FIELDS}


def amount(value: Any) -> Decimal:
    """A credit amount: the fake sends 5, 5.0 or "5.00" in turn (the doc shows none)."""
    assert not isinstance(value, bool) and isinstance(value, int | float | str), value
    return Decimal(str(value))


def phones(count: int, start: int = 0) -> list[str]:
    return [f"+4420794600{start + i:02d}" for i in range(count)]


def setup_campaign(
    fake: OutboundCallsFake, numbers: list[str], **fields: Any
) -> tuple[str, dict[str, str]]:
    """An agent, a list of `numbers` and a draft campaign; (campaign id, number -> contact)."""
    agent = api(fake, "create_agent", {"name": "Ava", "first_message": "Hi, it's Ava."}).json()
    rows = [{"phone_number": n, "first_name": f"P{i}"} for i, n in enumerate(numbers)]
    list_id = list_id_of(api(fake, "import_contacts", {"contacts": rows}).json())
    body = {
        "name": "Q1 Sales Outreach",
        "agent_id": ident(agent, "id", "agent_id"),
        "contact_list_id": list_id,
        **fields,
    }
    created = api(fake, "create_campaign", body)
    assert created.status_code == 201, created.text
    contacts = api(fake, "list_contacts", params={"list_id": list_id}).json()
    return created.json()["id"], {c["phone_number"]: str(c["id"]) for c in contacts["data"]}


def start(fake: OutboundCallsFake, campaign_id: str) -> None:
    assert api(fake, "start_campaign", id=campaign_id).status_code in (200, 204)


def calls_to(fake: OutboundCallsFake, number: str) -> list[Any]:
    return [c for c in fake.calls.values() if c.phone_number == number]


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


# -- campaigns on the clock ----------------------------------------------------------------
def test_a_campaign_dials_only_while_running_and_completes(
    fake: OutboundCallsFake, receiver: Receiver
) -> None:
    numbers = phones(6)
    campaign_id, _ = setup_campaign(fake, numbers, concurrent_calls=2)
    fake.advance(600)
    assert fake.calls == {}  # a draft dials nothing

    start(fake, campaign_id)
    assert api(fake, "start_campaign", id=campaign_id).status_code == 409
    assert api(fake, "resume_campaign", id=campaign_id).status_code == 409
    fake.advance(1)
    assert len(fake.calls) == 2  # concurrent_calls

    paused = api(fake, "pause_campaign", id=campaign_id)
    assert paused.status_code in (200, 204)
    assert fake.campaigns[campaign_id].status == "paused"
    assert api(fake, "pause_campaign", id=campaign_id).status_code == 409
    fake.advance(3600)
    assert len(fake.calls) == 2  # calls in flight ended; none new
    assert all(c.ended_at is not None for c in fake.calls.values())
    assert api(fake, "campaign_details", id=campaign_id).json()["status"] == "paused"

    assert api(fake, "resume_campaign", id=campaign_id).status_code in (200, 204)
    assert fake.campaigns[campaign_id].status == "running"
    fake.advance(4 * 3600)
    campaign = api(fake, "campaign_details", id=campaign_id).json()
    assert campaign["status"] == "completed"
    assert campaign["stats"]["calls_placed"] == len(fake.calls) == 6  # one attempt each
    assert {c.phone_number for c in fake.calls.values()} == set(numbers)
    moments = sorted(
        [(c.created_at, 1) for c in fake.calls.values()]
        + [(c.ended_at, -1) for c in fake.calls.values()]
    )
    in_flight = [sum(step for _, step in moments[: i + 1]) for i in range(len(moments))]
    assert max(in_flight) == 2  # never more than concurrent_calls at once

    done = receiver.events("campaign.completed")
    assert [e["data"]["id"] for e in done] == [campaign_id]
    assert done[0]["data"]["status"] == "completed"


def test_webhooks_are_signed_with_hmac_sha256_of_the_raw_body(
    fake: OutboundCallsFake, receiver: Receiver
) -> None:
    campaign_id, _ = setup_campaign(fake, phones(4), concurrent_calls=4)
    start(fake, campaign_id)
    fake.advance(3600)

    assert receiver.posts
    seen = set()
    for headers, body in receiver.posts:
        # The doc names no header and no form: one of ours, in one of the common forms.
        [header] = [h for h in SIGNATURE_HEADERS if h in headers]
        digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
        forms = {
            digest.hex(): "hex",
            base64.b64encode(digest).decode(): "base64",
            "sha256=" + digest.hex(): "sha256=hex",
        }
        seen.add((header, forms[headers[header]]))
        forged = hmac.new(b"another-secret", body, hashlib.sha256).hexdigest()
        assert forged not in headers[header]
        payload = json.loads(body)
        assert payload["event"] in DOC_EVENTS
        assert set(payload) == {"id", "event", "created_at", "data"}
    ids = [e["id"] for e in receiver.events()]
    assert len(ids) == len(set(ids))  # an id per event: the inbox's dedupe key
    assert {h for h, _ in seen} == set(SIGNATURE_HEADERS)
    assert {f for _, f in seen} == set(SIGNATURE_FORMS)


def test_connected_calls_start_and_complete_others_fail(
    fake: OutboundCallsFake, receiver: Receiver
) -> None:
    campaign_id, _ = setup_campaign(fake, phones(12), concurrent_calls=10)
    start(fake, campaign_id)
    fake.advance(3600)

    statuses = {c.status for c in fake.calls.values()}
    assert statuses <= set(STATUS_WORDS)
    assert {"completed", "failed"} <= statuses
    for call in fake.calls.values():
        events = [e["event"] for e in receiver.events() if str(e["data"].get("id")) == call.id]
        if call.status in CONNECTED_STATUSES:
            assert events == ["call.started", "call.completed"]
        else:
            assert events == ["call.failed"]
    completed = receiver.events("call.completed")
    assert all(e["data"]["transcript"] for e in completed)
    assert all(
        e["data"]["outcome"] in OUTCOME_WORDS
        for e in completed
        if e["data"]["status"] == "completed"
    )


def test_calling_hours_and_start_date_are_read_in_the_campaigns_time_zone(
    fake: OutboundCallsFake,
) -> None:
    number = phones(1)[0]
    fake.force_outcome(number, "no_answer")
    schedule = {
        "start_date": "2026-01-06",
        "calling_hours": {"start": "09:00", "end": "17:00"},
        "timezone": "America/New_York",
    }
    retry_rules = {"max_attempts": 6, "delay_minutes": 120}
    campaign_id, _ = setup_campaign(fake, [number], schedule=schedule, retry_rules=retry_rules)
    start(fake, campaign_id)
    fake.advance(24 * 3600)
    assert fake.calls == {}  # 2026-01-05 is before the start date
    fake.advance(2 * 24 * 3600)

    attempts = calls_to(fake, number)
    assert len(attempts) == 6
    # 09:00 in New York on 2026-01-06 is 14:00 UTC.
    assert attempts[0].created_at == datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    local = [c.created_at.astimezone(new_york) for c in attempts]
    assert all("09:00" <= moment.strftime("%H:%M") < "17:00" for moment in local)
    assert len({moment.date() for moment in local}) == 2  # carried over to the next day


def test_retry_rules_space_attempts_and_the_contact_ends_unreachable(
    fake: OutboundCallsFake, receiver: Receiver
) -> None:
    number, other = phones(2)
    fake.force_outcome(number, "no_answer")
    fake.force_outcome(other, "completed")
    retry_rules = {"max_attempts": 3, "delay_minutes": 60}
    campaign_id, contacts = setup_campaign(
        fake, [number, other], retry_rules=retry_rules, concurrent_calls=2
    )
    start(fake, campaign_id)
    fake.advance(6 * 3600)

    attempts = calls_to(fake, number)
    assert [c.attempt for c in attempts] == [1, 2, 3]
    for before, after in pairwise(attempts):
        assert after.created_at == before.ended_at + timedelta(minutes=60)
    assert len(calls_to(fake, other)) == 1  # completed: never retried
    updates = [
        (e["data"]["previous_status"], e["data"]["status"])
        for e in receiver.events("contact.updated")
        if str(e["data"]["id"]) == contacts[number]
    ]
    assert updates == [("new", "retrying"), ("retrying", "unreachable")]
    assert fake.contacts[contacts[number]]["status"] == "unreachable"
    assert fake.contacts[contacts[other]]["status"] in ("called", "do_not_call")
    assert api(fake, "campaign_details", id=campaign_id).json()["status"] == "completed"


def test_a_contact_blocked_before_its_turn_is_skipped(fake: OutboundCallsFake) -> None:
    blocked, other = phones(2)
    campaign_id, contacts = setup_campaign(fake, [blocked, other])
    refused = api(fake, "update_contact", {"status": "unreachable"}, id=contacts[blocked])
    assert refused.status_code == 400  # a status only calls can give
    patched = api(fake, "update_contact", {"status": "do_not_call"}, id=contacts[blocked])
    assert patched.json()["status"] == "do_not_call"
    start(fake, campaign_id)
    fake.advance(3 * 3600)

    assert calls_to(fake, blocked) == []
    stats = api(fake, "campaign_details", id=campaign_id).json()["stats"]
    assert (stats["contacts_skipped"], stats["contacts_done"]) == (1, 1)


def test_call_details_recording_and_transcript(fake: OutboundCallsFake) -> None:
    answered, failed = phones(2)
    fake.force_outcome(answered, "completed")
    fake.force_outcome(failed, "failed")
    campaign_id, _ = setup_campaign(fake, [answered, failed], concurrent_calls=2)
    start(fake, campaign_id)
    fake.advance(3600)

    good = calls_to(fake, answered)[0]
    details = api(fake, "call_details", id=good.id).json()
    assert str(details["id"]) == good.id
    assert details["status"] == "completed"
    assert details["outcome"] in OUTCOME_WORDS
    assert details["duration_seconds"] > 0
    recording = api(fake, "call_recording", id=good.id)
    assert recording.headers["Content-Type"] in RECORDING_TYPES  # a WAV, whatever it says
    with wave.open(io.BytesIO(recording.content)) as audio:
        assert audio.getnframes() > 0
    transcript = api(fake, "call_transcript", id=good.id).json()["transcript"]
    assert transcript[0] == {"role": "agent", "text": "Hi, it's Ava."}
    assert transcript[1]["role"] == "contact"

    bad = calls_to(fake, failed)[0]
    assert api(fake, "call_recording", id=bad.id).status_code == 404
    assert api(fake, "call_transcript", id=bad.id).status_code == 404
    listed = api(fake, "list_calls", params={"campaign_id": campaign_id, "status": "failed"})
    assert [str(c["id"]) for c in listed.json()["data"]] == [bad.id]
    assert api(fake, "call_details", id="call_nope00").status_code == 404


def test_play_forward_depends_on_the_seed_only() -> None:
    def outcomes(seed: int, steps: list[int]) -> list[tuple[str, str, int]]:
        server = OutboundCallsFake(seed=seed).start()
        try:
            campaign_id, _ = setup_campaign(server, phones(15), concurrent_calls=5)
            start(server, campaign_id)
            for step in steps:
                server.advance(step)
            return [(c.phone_number, c.status, c.duration_seconds) for c in server.calls.values()]
        finally:
            server.stop()

    first = outcomes(3, [3600])
    assert first == outcomes(3, [30] * 120)  # how the test splits time changes nothing
    assert first != outcomes(4, [3600])


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
