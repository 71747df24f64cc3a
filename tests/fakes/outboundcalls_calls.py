"""The words, calls and campaigns the OutboundCalls.ai fake (tests/fakes/outboundcalls.py)
keeps, and what a connected call says and records."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.outboundcalls_fields import iso

# OutboundCalls.ai's own status words for a call: all our guess (the doc names none), in the
# snake_case of its field names. An adapter maps them to the unified vocabulary.
STATUS_WORDS: dict[str, str] = {
    "queued": "guess",
    "ringing": "guess",
    "in_progress": "guess",
    "completed": "guess",
    "no_answer": "guess",
    "busy": "guess",
    "voicemail": "guess",
    "failed": "guess",
}
TERMINAL_STATUSES = frozenset({"completed", "no_answer", "busy", "voicemail", "failed"})
# Calls that "connect to the recipient" (doc, call.started): they fire call.started and
# call.completed, cost credits and have a recording and a transcript. The others fire
# call.failed ("fails to connect").
CONNECTED_STATUSES = frozenset({"completed", "voicemail"})
CAMPAIGN_STATUS_WORDS = ("draft", "running", "paused", "completed")  # guess
# guess: a contact's status after calls ("contact.updated: when a contact status changes
# after a call"); `do_not_call` is also what a client may PATCH to stop calls to it.
CONTACT_STATUS_WORDS = ("new", "retrying", "called", "unreachable", "do_not_call")
# guess: what the agent concluded on a completed call ("includes transcript and outcome").
OUTCOME_WORDS = ("interested", "not_interested", "callback_requested", "do_not_call")

# How a call ends when no test forces it, and what a completed call concluded (out of 100).
OUTCOME_WEIGHTS = (
    ("completed", 55),
    ("no_answer", 15),
    ("busy", 10),
    ("voicemail", 10),
    ("failed", 10),
)
VERDICT_WEIGHTS = (
    ("interested", 30),
    ("not_interested", 40),
    ("callback_requested", 20),
    ("do_not_call", 10),
)

# guess: a credit per started minute of a connected call; unconnected attempts are free.
CREDITS_PER_MINUTE = 1
DEFAULT_CREDITS = 1000


@dataclass
class OutboundCall:
    """One call attempt of a campaign; `details()` is GET /v1/calls/{id}."""

    id: str
    seq: int
    campaign_id: str
    agent_id: str
    contact_id: str
    phone_number: str
    attempt: int
    created_at: datetime
    verdict: str = field(default="", repr=False)  # the outcome if the call completes
    status: str = "queued"
    outcome: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    credits_used: int = 0
    transcript: list[dict[str, str]] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "campaign_id": self.campaign_id,
            "agent_id": self.agent_id,
            "contact_id": self.contact_id,
            "phone_number": self.phone_number,
            "status": self.status,
            "outcome": self.outcome,
            "attempt": self.attempt,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "duration_seconds": self.duration_seconds,
            "credits_used": self.credits_used,
        }


@dataclass
class CampaignEntry:
    """One contact's progress through a campaign."""

    contact_id: str
    attempts: int = 0
    next_at: datetime | None = None  # no retry before this
    state: str = "pending"  # pending | dialing | done | skipped


@dataclass
class OutboundCampaign:
    id: str
    name: str
    agent_id: str
    contact_list_id: str
    schedule: dict[str, Any]
    retry_rules: dict[str, int]
    concurrent_calls: int
    created_at: datetime
    status: str = "draft"
    started_at: datetime | None = None
    completed_at: datetime | None = None
    entries: dict[str, CampaignEntry] = field(default_factory=dict)  # filled on start
    call_ids: list[str] = field(default_factory=list)
    active: int = 0  # calls not yet ended

    def in_window(self, now: datetime) -> bool:
        """Whether `now` is on or after the start date and inside calling hours, both read
        in the campaign's time zone (zero-padded ISO strings compare like the values)."""
        local = now.astimezone(ZoneInfo(self.schedule["timezone"]))
        start_date = self.schedule["start_date"]
        if start_date and local.date().isoformat() < start_date:
            return False
        hours = self.schedule["calling_hours"]
        return hours is None or hours["start"] <= local.strftime("%H:%M") < hours["end"]

    def finished(self) -> bool:
        done = all(e.state in ("done", "skipped") for e in self.entries.values())
        return self.active == 0 and done


REPLIES = {
    "interested": "Yes, that sounds good. Tell me more.",
    "not_interested": "No thanks, I'm not interested.",
    "callback_requested": "I'm busy right now, can you call me back tomorrow?",
    "do_not_call": "Please take me off your list and don't call again.",
}


def transcript(
    agent: dict[str, Any], contact: dict[str, Any], outcome: str | None
) -> list[dict[str, str]]:
    """A short agent/contact exchange; a voicemail (no outcome) is the agent alone."""
    name = contact.get("first_name") or "there"
    opening = agent.get("first_message") or f"Hi {name}, this is {agent.get('name')} calling."
    if outcome is None:
        return [{"role": "agent", "text": f"{opening} Please call us back when you can."}]
    return [
        {"role": "agent", "text": opening},
        {"role": "contact", "text": REPLIES[outcome]},
        {"role": "agent", "text": "Thank you for your time. Goodbye."},
    ]


def wav(seconds: int) -> bytes:
    """Silence as an 8 kHz mono 16-bit WAV, one tenth of the call's length: a valid file
    whose size follows the call, without megabytes of test data."""
    rate = 8000
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(2 * rate * max(1, seconds) // 10))
    return buffer.getvalue()


def pick(weights: tuple[tuple[str, int], ...], roll: float) -> str:
    for word, weight in weights:
        if roll < weight:
            return word
        roll -= weight
    return weights[-1][0]
