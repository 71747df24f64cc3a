"""The calls and batches the CallKaro fake (tests/fakes/callkaro.py) keeps, and the
call-ended webhook it sends for a call."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from tests.fakes import callkaro_fields as fields

# The call-ended webhook we send (our assumption; the doc has none). One POST per call when
# it is finally over (answered, retries used up, failed, or expired), not per attempt:
#
#   {
#     "event": "call.ended",
#     "call_id": "677a5a50f3c2...",       # as returned by POST /call/outbound
#     "batch_id": "677a5a50..." | null,
#     "agent_id": "6803fa770b666a64ab1694c1e",
#     "to_number": "+919876543210",
#     "status": "completed",              # one of TERMINAL_STATUSES
#     "attempts": 1,                      # dials made, retries included
#     "priority": 0,
#     "metadata": {...},                  # as sent
#     "started_at": "2026-01-05T10:00:03Z" | null,   # last attempt's dial time, UTC
#     "answered_at": "2026-01-05T10:00:09Z" | null,
#     "ended_at": "2026-01-05T10:01:02Z",
#     "duration": 53                      # answered seconds, 0 if unanswered
#   }
#
# That is shape 0; the others (see `webhook_payload`) rename `call_id` to `id`, send the
# duration as 53.0, "53" or "53.0", leave out null fields, or add fields we do not read.
# No signature is sent (none is documented); our inbox authenticates it by a secret token in
# the webhook URL.
WEBHOOK_EVENT = "call.ended"
WEBHOOK_DURATION_FORMS = (int, float, str, lambda seconds: f"{seconds}.0")


@dataclass
class CallKaroCall:
    """One call (with its retries) the fake knows about."""

    call_id: str
    seq: int
    to_number: str
    agent_id: str
    batch_id: str | None
    metadata: dict[str, Any]
    schedule_at: datetime | None
    min_trigger_time: time | None
    max_trigger_time: time | None
    carry_over: bool
    number_of_retries: int
    gap_between_retries: list[int]  # minutes; the last gap repeats
    priority: int
    created_at: datetime
    rng: random.Random = field(repr=False)
    status: str = "queued"
    next_at: datetime | None = None  # when the call's next state change is due
    attempts: int = 0
    outcome: str | None = None  # the current attempt's outcome, decided at dial time
    talk_seconds: int = 0
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int = 0

    def webhook_payload(self, shape: int = 0) -> dict[str, Any]:
        """The call-ended webhook in one of the shapes the doc leaves open (see above)."""
        body: dict[str, Any] = {
            "event": WEBHOOK_EVENT,
            "call_id": self.call_id,
            "batch_id": self.batch_id,
            "agent_id": self.agent_id,
            "to_number": self.to_number,
            "status": self.status,
            "attempts": self.attempts,
            "priority": self.priority,
            "metadata": dict(self.metadata),
            "started_at": fields.iso(self.started_at),
            "answered_at": fields.iso(self.answered_at),
            "ended_at": fields.iso(self.ended_at),
            "duration": self.duration,
        }
        if shape % 2:
            body = {("id" if key == "call_id" else key): value for key, value in body.items()}
        body["duration"] = WEBHOOK_DURATION_FORMS[shape % 4](self.duration)
        if shape % 3 == 1:
            body = {key: value for key, value in body.items() if value is not None}
        if shape % 3 == 2:
            body.update(agent_name="Survey agent", hangup_cause="NORMAL_CLEARING", cost=None)
        return body


@dataclass
class CallKaroBatch:
    batch_id: str
    name: str
    agent_id: str
    created_at: datetime
    call_ids: list[str] = field(default_factory=list)
