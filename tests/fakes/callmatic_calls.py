"""The calls the Callmatic fake (tests/fakes/callmatic.py) keeps, and the call object
(details answer and completion webhook alike) in the shapes the doc leaves open."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Fields a real call object may carry beyond the doc's truncated example (guess).
EXTRA_CALL_FIELDS = {"language": "hi-IN", "agentName": "Radha", "cost": None, "tags": []}


@dataclass
class CallmaticCall:
    """One call the fake knows about; `details()` is the doc's call object."""

    call_id: str
    seq: int
    campaign_id: str
    phone_number: str
    variables: dict[str, Any]
    created_at: datetime
    rng: random.Random = field(repr=False)
    status: str = "queued"
    next_at: datetime | None = None  # when the call's next state change is due
    outcome: str | None = None  # decided when the call is dialed
    talk_seconds: float = 0.0
    triggered_at: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: float | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    insights: list[dict[str, Any]] = field(default_factory=list)
    recording: bytes | None = field(default=None, repr=False)

    def details(self, shape: int = 0) -> dict[str, Any]:
        """The `data` object of GET /calls/{callId}, which is also the webhook body (doc),
        in one of the shapes the doc leaves open (see the module doc)."""
        body = {
            "callId": self.call_id,
            "campaignId": self.campaign_id,
            "direction": "OUTBOUND",
            "phoneNumber": self.phone_number,
            "status": self.status,
            "triggeredAt": iso_ms(self.triggered_at),
            "startTime": iso_ms(self.start_time),
            "endTime": iso_ms(self.end_time),
            "duration": self.duration,
            "transcript": [dict(turn) for turn in self.transcript],
            "insights": [dict(item) for item in self.insights],
        }
        if shape % 2:
            body = {key: value for key, value in body.items() if value not in (None, [])}
        if shape % 3 == 2:
            body.update(EXTRA_CALL_FIELDS)
        return body


def iso_ms(moment: datetime | None) -> str | None:
    """The doc's timestamp style: `2025-08-29T14:13:36.294Z`."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
