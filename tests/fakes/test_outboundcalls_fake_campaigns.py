"""The OutboundCalls.ai fake's campaigns on its clock, over real HTTP: dialing on `advance()`,
schedules, retries, outcomes and the signed webhooks they send.

No Django and no database: the fake and a tiny webhook receiver, both on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import wave
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from tests.fakes.outboundcalls import (
    CONNECTED_STATUSES,
    OUTCOME_WORDS,
    STATUS_WORDS,
    OutboundCallsFake,
)
from tests.fakes.outboundcalls_shapes import RECORDING_TYPES, SIGNATURE_FORMS, SIGNATURE_HEADERS
from tests.fakes.outboundcalls_support import (
    DOC_EVENTS,
    SECRET,
    Receiver,
    api,
    calls_to,
    phones,
    setup_campaign,
    start,
)
from tests.fakes.outboundcalls_support import fake_fixture as fake_fixture
from tests.fakes.outboundcalls_support import receiver_fixture as receiver_fixture


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
