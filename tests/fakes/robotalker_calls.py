"""The words, calls and campaigns the Robotalker fake (tests/fakes/robotalker.py) keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.fakes import robotalker_fields as fields

# Robotalker's own status words for a call. "queued" (create response) and "answered" (the
# call.completed payload) are in the doc; the rest are our guess, named after the doc's
# events (call.no_answer, call.voicemail, call.failed) plus the two in-flight states.
STATUS_WORDS: dict[str, str] = {
    "queued": "doc",
    "ringing": "guess",
    "in_progress": "guess",
    "answered": "doc",
    "no_answer": "guess",
    "voicemail": "guess",
    "failed": "guess",
}
# A finished call's status -> the event the doc lists for it.
STATUS_EVENTS: dict[str, str] = {
    "answered": "call.completed",
    "no_answer": "call.no_answer",
    "voicemail": "call.voicemail",
    "failed": "call.failed",
}
TERMINAL_STATUSES = frozenset(STATUS_EVENTS)
# guess: a campaign is "scheduled" until its first call, "running", then "completed".
CAMPAIGN_STATUS_WORDS = ("scheduled", "running", "completed")

# How a call ends when no test forces it (weights out of 100).
OUTCOME_WEIGHTS = (("answered", 60), ("no_answer", 15), ("voicemail", 15), ("failed", 10))
# The doc's call.completed example carries "amd_result": "human"; "machine" is our guess.
AMD_RESULTS = {"answered": "human", "voicemail": "machine"}

# guess: the doc says campaigns "handle throttling internally" but not at what rate.
CAMPAIGN_CALL_GAP = timedelta(seconds=1)
# guess: "rate limits vary by plan"; high enough that only tests that lower it meet it.
DEFAULT_RATE_LIMIT_PER_MINUTE = 10_000


@dataclass
class RobotalkerCall:
    """One call; `details()` is what GET /api/v1/calls/{id} answers."""

    call_id: str
    seq: int
    to: str
    sender: str
    message: str  # with every {VARIABLE} already filled in
    voice: str
    dtmf: dict[str, dict[str, str]]
    webhook_url: str | None
    created_at: datetime
    campaign_id: str | None = None
    status: str = "queued"
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int = 0
    dtmf_response: str | None = None
    amd_result: str | None = None

    def created(self) -> dict[str, Any]:
        """The doc's response to POST /api/v1/calls."""
        return {
            "call_id": self.call_id,
            "status": self.status,
            "to": self.to,
            "created_at": fields.iso(self.created_at),
        }

    def details(self) -> dict[str, Any]:
        # guess: the doc only says "status and outcome"; we answer the create response's
        # fields plus the outcome fields of the call.completed payload, with the same names.
        return {
            **self.created(),
            "from": self.sender,
            "message": self.message,
            "voice": self.voice,
            "campaign_id": self.campaign_id,
            "answered_at": fields.iso(self.answered_at),
            "ended_at": fields.iso(self.ended_at),
            "duration_seconds": self.duration_seconds,
            "dtmf_response": self.dtmf_response,
            "amd_result": self.amd_result,
        }

    def event(self, name: str, at: datetime) -> dict[str, Any]:
        """A call webhook with exactly the keys of the doc's call.completed example."""
        return {
            "event": name,
            "call_id": self.call_id,
            "to": self.to,
            "status": self.status,
            "duration_seconds": self.duration_seconds,
            "dtmf_response": self.dtmf_response,
            "amd_result": self.amd_result,
            "timestamp": fields.iso(at),
        }


@dataclass
class RobotalkerCampaign:
    campaign_id: str
    name: str
    sender: str
    voice: str
    dtmf: dict[str, dict[str, str]]
    webhook_url: str | None
    created_at: datetime
    schedule_at: datetime
    recipients: list[tuple[str, str]]  # (number, message with its variables filled in)
    status: str = "scheduled"
    call_ids: list[str] = field(default_factory=list)
    opted_out: list[str] = field(default_factory=list)  # numbers skipped at dial time
    dialed: int = 0  # recipients reached so far (called or skipped)


def pick(roll: float) -> str:
    for outcome, weight in OUTCOME_WEIGHTS:
        if roll < weight:
            return outcome
        roll -= weight
    return OUTCOME_WEIGHTS[-1][0]
