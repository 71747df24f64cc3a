"""The records behind the IVR Solutions fake's state (`ivrsolutions_state.py`): DIDs,
agents, templates, dialers, calls and each call's drawn-up-front plan; and `LogRows`, the
log row shapes (copied from the doc's examples), a mixin of `IVRState`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tests.fakes.ivrsolutions_fields import (
    IST,
    OUTCOME_WEIGHTS,
    RING_TIMEOUT_SECONDS,
    ist_text,
)
from tests.fakes.ivrsolutions_shapes import Shape


# -- records --------------------------------------------------------------------------
@dataclass
class Did:
    number: str  # E.164
    region_id: int
    region: str
    type: str = "landline"
    status: str = "active"
    config: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict:
        return {
            "did_number": self.number,
            "region": self.region,
            "status": self.status,
            "type": self.type,
        }


@dataclass
class Agent:
    agent_id: int
    ext_no: str
    name: str
    email: str
    phonenumber: str
    password: str
    kind: str = "agent"  # "agent" or "group" (a group extension)
    enabled: bool = True
    expiry_date: date | None = None
    did_no: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def active_on(self, today: date) -> bool:
        return self.enabled and (self.expiry_date is None or today <= self.expiry_date)

    def row(self, today: date) -> dict:
        return {
            "agent_id": self.agent_id,
            "ext_no": self.ext_no,
            "name": self.name,
            "email": self.email,
            "phonenumber": self.phonenumber,
            "type": self.kind,
            "status": "active" if self.active_on(today) else "inactive",
            "did_no": self.did_no,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
        }


@dataclass
class Template:
    id: int
    name: str
    text: str
    created_at: datetime
    status: str = "pending"

    def row(self) -> dict:
        return {
            "id": self.id,
            "template_name": self.name,
            "text_content": self.text,
            "status": self.status,
            "created_at": ist_text(self.created_at),
        }


@dataclass
class DialerEntry:
    number: str
    name: str = ""
    order_id: str = ""
    call: Call | None = None


@dataclass
class Dialer:
    id: int
    name: str
    did_no: str
    no_of_call: int
    start_time: time
    end_time: time
    text_template_id: int
    send_call_flow_id: int | None = None
    status: str = "off"
    entries: list[DialerEntry] = field(default_factory=list)

    def in_window(self, moment: datetime) -> bool:
        now = moment.astimezone(IST).time()
        if self.start_time <= self.end_time:
            return self.start_time <= now < self.end_time
        return now >= self.start_time or now < self.end_time  # an overnight window

    def next_window_start(self, moment: datetime) -> datetime:
        local = moment.astimezone(IST)
        opening = local.replace(
            hour=self.start_time.hour, minute=self.start_time.minute, second=0, microsecond=0
        )
        if opening <= local:
            opening += timedelta(days=1)
        return opening.astimezone(UTC)

    def row(self) -> dict:
        completed = sum(1 for e in self.entries if e.call and e.call.ended_at)
        return {
            "id": self.id,
            "name": self.name,
            "did_no": self.did_no,
            "status": self.status,
            "start_time": self.start_time.strftime("%H:%M"),
            "end_time": self.end_time.strftime("%H:%M"),
            "no_of_calls": self.no_of_call,
            "total_numbers": len(self.entries),
            "completed": completed,
            "pending": len(self.entries) - completed,
        }


@dataclass
class Plan:
    """A call's whole life, drawn up front from its own seeded RNG (seconds after start)."""

    outcome: str
    ring_after: int | None
    answer_after: int | None
    hangup_after: int
    dtmf: str = ""
    dtmf_after: int | None = None


def draw_plan(rng: random.Random, forced: str | None, with_dtmf: bool) -> Plan:
    outcome = forced or rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
    ring = rng.randint(1, 3)
    if outcome == "failed":  # the network rejects the call before anything rings
        return Plan(outcome, None, None, rng.randint(1, 3))
    if outcome == "busy":
        return Plan(outcome, ring, None, ring + rng.randint(2, 5))
    if outcome == "no_answer":
        return Plan(outcome, ring, None, ring + RING_TIMEOUT_SECONDS)
    answer = ring + rng.randint(3, 12)
    talk = rng.randint(20, 240)
    plan = Plan(outcome, ring, answer, answer + talk)
    if with_dtmf:
        plan.dtmf = rng.choice("12")
        plan.dtmf_after = answer + rng.randint(3, 15)
    return plan


@dataclass
class Call:
    recordid: int  # the id of its log rows (and webhooks, and update_call_note)
    logid: int | str  # exactly what the placing response returned (an int or text)
    kind: str  # c2c, c2c_two_leg, click_connect, flow, text, voicebot, dialer
    did_no: str
    client_no: str  # the customer / second party, 10 national digits
    created_at: datetime
    start_at: datetime
    plan: Plan
    first_no: str = ""  # first party of two-party bridges
    agent_no: str = ""
    ext_no: str = ""
    attended_by: str = ""
    dialer_id: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    status: str = "queued"
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int = 0
    dtmf_input: str = ""
    recording_url: str = ""
    event_count: int = 0
    disposition_id: int | None = None
    note: str = ""
    shape: Shape = field(default_factory=lambda: Shape(False, False, False, ("", "")))

    @property
    def call_type(self) -> str:
        """The `call_type` word of the logs (the doc lists incoming|outgoing|c2c|dialer)."""
        if self.kind in ("c2c", "c2c_two_leg", "click_connect"):
            return "c2c"
        return "dialer" if self.kind == "dialer" else "outgoing"

    @property
    def sip_call_id(self) -> str:
        # add_call_note wants a "SIP call id"; the doc never says where one comes from, so
        # the fake puts it on log rows and webhooks.
        return f"ivr{self.recordid:08x}.{self.recordid}@sip"


class LogRows:
    """The log rows of `IVRState`'s calls (uses its `calls` and `dialers`)."""

    def ended_calls(self, *kinds: str) -> list[Call]:
        calls = [c for c in self.calls.values() if c.ended_at is not None]
        if kinds:
            calls = [c for c in calls if c.kind in kinds]
        return sorted(calls, key=lambda c: c.recordid)

    @staticmethod
    def call_log_row(call: Call) -> dict:
        return call.shape.cut(
            {
                "recordid": call.shape.ident(call.recordid),
                "sip_call_id": call.sip_call_id,
                "did_no": call.did_no,
                "client_no": call.client_no,
                "agent_no": call.agent_no or call.first_no,
                "attended_by": call.attended_by,
                "ext_no": call.ext_no,
                "call_time": ist_text(call.start_at),
                "call_duration": call.duration,
                "call_status": call.status,
                "call_type": call.call_type,
                "recording_url": call.recording_url,
                "dtmf_input": call.dtmf_input,
            }
        )

    @staticmethod
    def c2c_log_row(call: Call) -> dict:
        return call.shape.cut(
            {
                "recordid": call.shape.ident(call.recordid),
                "sip_call_id": call.sip_call_id,
                "did_no": call.did_no,
                "agent_no": call.agent_no or call.first_no,
                "client_no": call.client_no,
                "agent_name": call.attended_by,
                "call_time": ist_text(call.start_at),
                "call_duration": call.duration,
                "call_status": call.status,
                "recording_url": call.recording_url,
            }
        )

    def dialer_log_row(self, call: Call) -> dict:
        dialer = self.dialers[call.dialer_id] if call.dialer_id is not None else None
        return call.shape.cut(
            {
                "id": call.shape.ident(call.recordid),
                "dialer_id": call.dialer_id,
                "dialer_name": dialer.name if dialer else "",
                "customer_no": call.client_no,
                "call_time": ist_text(call.start_at),
                "call_duration": call.duration,
                "call_status": call.status,
                "dtmf_input": call.dtmf_input,
                "attempts": 1,
            }
        )

    @staticmethod
    def click_connect_row(call: Call) -> dict:
        """The doc shows no answer for click_connect_logs: field names vary per call."""
        first, second = call.shape.masked_keys
        return call.shape.cut(
            {
                "recordid": call.shape.ident(call.recordid),
                "did_no": call.did_no,
                first: call.first_no,
                second: call.client_no,
                "call_time": ist_text(call.start_at),
                "call_duration": call.duration,
                "call_status": call.status,
                "recording_url": call.recording_url,
            }
        )
