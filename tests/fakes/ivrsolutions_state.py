"""State, validation and call simulation behind the IVR Solutions fake (`ivrsolutions.py`).

Everything here is plain Python with no HTTP: the fake's handlers translate requests into
calls on `IVRState`, which raises `BadRequest` for bad input. The account bookkeeping
endpoints (agents, DIDs, templates, contacts) are answered here directly, so the fake's
module keeps only routing, auth, faults, webhooks and the call-placing and log endpoints.
Time never moves by itself: the fake calls `play_until(clock)` from `on_tick`, and changes
that need time (a call ringing, a template being approved, a dialer dialling its next
number) wait on an agenda ordered by time until then.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.base import BadRequest
from tests.fakes.ivrsolutions_shapes import LOGID_BASE, RECORDID_BASE, Shape

# The doc's timestamps ("2024-12-15 10:30:45") carry no zone; the provider is Indian and
# its scheduling examples use Asia/Kolkata, so the fake renders and filters in IST.
IST = ZoneInfo("Asia/Kolkata")

#: Every `call_status` word the fake emits. The doc's logs show lowercase "answered" and
#: "no_answer"; the status-list text mentions "busy". "failed" and "cancelled" (a
#: click_connect session dropped via click_connect_update) follow the same style. The live
#: words "queued", "ringing" and "in_progress" only appear in get_call_status while a call
#: is under way; logs are written at hangup, so they only ever carry the final words.
STATUS_WORDS = frozenset(
    {"queued", "ringing", "in_progress", "answered", "no_answer", "busy", "failed", "cancelled"}
)
FINAL_STATUS_WORDS = frozenset({"answered", "no_answer", "busy", "failed", "cancelled"})
#: Outcomes a test may force with `force_outcome` (cancelled comes only from the API).
FORCEABLE_OUTCOMES = ("answered", "no_answer", "busy", "failed")
#: The `event` word of each webhook, matching the doc's "rings, answers, hangups and DTMF".
EVENT_WORDS = ("ringing", "answered", "dtmf", "hangup")

#: Approval is a human step at the provider; the fake approves a minute after creation.
TEMPLATE_APPROVAL_SECONDS = 60
#: How long an unanswered call rings before the platform gives up.
RING_TIMEOUT_SECONDS = 30
OUTCOME_WEIGHTS = {"answered": 60, "no_answer": 20, "busy": 10, "failed": 10}

# Seed data, copied from the doc's examples so doc-driven requests work out of the box.
REGIONS = [
    {"id": 1, "name": "Delhi", "code": "011"},
    {"id": 2, "name": "Bangalore", "code": "080"},
    {"id": 3, "name": "Mumbai", "code": "022"},
    {"id": 4, "name": "Chennai", "code": "044"},
    {"id": 5, "name": "Hyderabad", "code": "040"},
    {"id": 6, "name": "Faridabad", "code": "0129"},
]
CALL_FLOWS = [
    {"id": 1001, "name": "Welcome IVR", "description": "Main welcome menu"},
    {"id": 1002, "name": "Order Confirmation", "description": "COD order confirmation flow"},
    {"id": 1003, "name": "Feedback Survey", "description": "Post-call feedback collection"},
]
VOICEBOTS = [
    {"id": 4821, "name": "Receptionist", "language": "en-IN", "status": "active"},
    {"id": 4822, "name": "Lead Qualifier", "language": "hi-IN", "status": "active"},
]
DISPOSITIONS = [
    {"id": 1, "name": "Interested"},
    {"id": 2, "name": "Not Interested"},
    {"id": 3, "name": "Call Back Later"},
    {"id": 4, "name": "Wrong Number"},
    {"id": 5, "name": "DND"},
    {"id": 6, "name": "Converted"},
    {"id": 7, "name": "Follow Up Required"},
]
CALL_VARIABLES = ["name", "order_id", "amount", "date", "otp"]
NOTE_CALL_TYPES = ("incoming", "outgoing", "c2c", "dialer")
#: Tiny but valid-looking MP3 (ID3 header + one MPEG-1 Layer III frame header + padding).
RECORDING_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


# -- validation -----------------------------------------------------------------------
_PHONE_RE = re.compile(r"^(?:\+91|91|0)?([1-9]\d{9})$")


def national_phone(value: Any, field_name: str) -> str:
    """Accept the doc's forms (09876543210, +919876543210, 9876543210); return 10 digits."""
    text = re.sub(r"[\s-]", "", str(value or ""))
    match = _PHONE_RE.match(text)
    if not match:
        raise BadRequest(f"{field_name} is not a valid phone number")
    return match.group(1)


def e164(value: Any, field_name: str) -> str:
    return "+91" + national_phone(value, field_name)


def as_int(value: Any, field_name: str) -> int:
    if isinstance(value, bool):
        raise BadRequest(f"{field_name} must be an integer")
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be an integer") from exc


def parse_date(value: Any, field_name: str) -> date:
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be YYYY-MM-DD") from exc


def parse_hhmm(value: Any, field_name: str) -> time:
    try:
        return datetime.strptime(str(value), "%H:%M").time()  # noqa: DTZ007 - a time only
    except ValueError as exc:
        raise BadRequest(f"{field_name} must be HH:mm (24Hr)") from exc


def flag(value: Any, field_name: str) -> str:
    text = str(value)
    if text not in ("0", "1"):
        raise BadRequest(f'{field_name} must be "0" or "1"')
    return text


def parse_schedule(when: Any, tz_name: Any, now: datetime) -> datetime:
    """The moment a call should start: `schedule_datetime` in `timezone`, or now."""
    if not when:
        return now
    try:
        zone = ZoneInfo(str(tz_name)) if tz_name else IST
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest("timezone is not a valid time zone") from exc
    try:
        local = datetime.strptime(str(when), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - zone below
    except ValueError as exc:
        raise BadRequest("schedule_datetime must be YYYY-MM-DD HH:mm:ss") from exc
    return max(now, local.replace(tzinfo=zone).astimezone(UTC))


def ist_text(moment: datetime) -> str:
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")


_PASSWORD_RULES = (
    (str.isupper, "an uppercase letter"),
    (str.islower, "a lowercase letter"),
    (str.isdigit, "a number"),
    (lambda ch: not ch.isalnum(), "a special character"),
)


def present(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list | dict):
        return len(value) > 0
    return True


def ok_reply(message: str, **extra: Any) -> dict:
    return {"status": True, "message": message, **extra}


def data_reply(rows: Any, status: Any = 200) -> dict:
    return {"status": status, "data": rows}


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


# -- the account --------------------------------------------------------------------------
class IVRState:
    """One provider account: inventory, agents, dialers, templates and calls."""

    def __init__(
        self,
        seed: int,
        clock: Callable[[], datetime],
        base_url: Callable[[], str],
        *,
        shared_ids: bool = False,
    ):
        self.seed = seed
        #: recordid == logid (the contract suite names a call by one id); see the shapes doc.
        self.shared_ids = shared_ids
        self._clock = clock
        self._base_url = base_url
        self._agenda: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._seq = itertools.count()
        self.outbox: list[dict] = []  # webhook payloads waiting for the fake to sign and send
        self.calls: dict[str, Call] = {}  # by the logid as text
        self.forced: dict[str, str] = {}
        self.owned: dict[str, Did] = {}
        self.available: dict[str, Did] = {}
        self.agents: dict[str, Agent] = {}
        self.templates: dict[str, Template] = {}
        self.dialers: dict[int, Dialer] = {}
        self.unassigned_records: list[dict] = []
        self.contacts: dict[str, dict] = {}
        self.customer_lists = [
            {"id": 1, "name": "December Leads", "count": 1500, "created_at": "2024-12-01 10:00:00"},
            {
                "id": 2,
                "name": "Premium Customers",
                "count": 350,
                "created_at": "2024-11-15 14:30:00",
            },
        ]
        self.call_notes: list[dict] = []
        self._ids = {"agent": 452, "ext": 2103, "template": 102, "dialer": 101, "list": 3}
        self._seed_inventory()

    @property
    def now(self) -> datetime:
        return self._clock()

    @property
    def today(self) -> date:
        return self.now.astimezone(IST).date()

    def next_id(self, kind: str) -> int:
        value = self._ids[kind]
        self._ids[kind] += 1
        return value

    def free_ext(self) -> str:
        """The next extension number nobody holds (group extensions may pick their own)."""
        while str(self._ids["ext"]) in self.agents:
            self._ids["ext"] += 1
        return str(self.next_id("ext"))

    def _seed_inventory(self) -> None:
        for number, rid in (("+911143104567", 1), ("+918043104568", 2)):
            self.owned[number] = Did(number, rid, REGIONS[rid - 1]["name"])
        rng = random.Random(self.seed)
        for region in REGIONS:
            area = region["code"][1:]
            numbers = {
                "+91" + area + f"{rng.randrange(10 ** (10 - len(area))):0{10 - len(area)}d}"
                for _ in range(15)
            }
            if region["id"] == 1:  # the doc's two search examples (4310) must find numbers
                numbers |= {f"+9111431045{i:02d}" for i in range(1, 6)} | {"+911126544310"}
            for number in sorted(numbers - set(self.owned)):
                self.available[number] = Did(number, region["id"], region["name"])
        agents = [
            Agent(450, "2101", "John Doe", "john.doe@company.com", "9123456789", "Seed@Pass1"),
            Agent(451, "2102", "Jane Smith", "jane.smith@company.com", "9123456788", "Seed@Pass2"),
        ]
        agents[0].did_no = "+911143104567"
        self.agents = {a.ext_no: a for a in agents}
        self.templates["api_order_confirm"] = Template(
            101, "api_order_confirm", "Press 1 to confirm your order.", self.now, "approved"
        )

    # -- lookups used by several endpoints ------------------------------------------------
    def owned_did(self, value: Any, field_name: str) -> str:
        number = e164(value, field_name)
        if number not in self.owned:
            raise BadRequest(f"{field_name} is not a DID on your account")
        return number

    def active_agent(self, ext_no: Any, field_name: str = "ext_no") -> Agent:
        agent = self.agents.get(str(ext_no))
        if agent is None:
            raise BadRequest(f"{field_name} is not an extension on your account")
        if not agent.active_on(self.today):
            raise BadRequest(f"Extension {agent.ext_no} is disabled or expired")
        return agent

    def agent(self, ext_no: Any, field_name: str = "ext_no") -> Agent:
        agent = self.agents.get(str(ext_no))
        if agent is None:
            raise BadRequest(f"{field_name} is not an extension on your account")
        return agent

    def find_call(self, logid: Any) -> Call | None:
        """By the id its placing answer gave (int or text alike)."""
        return self.calls.get(str(logid).strip())

    def find_record(self, recordid: Any) -> Call | None:
        """By the id its log rows carry: what update_call_note's `record_id` names."""
        text = str(recordid).strip()
        return next((c for c in self.calls.values() if str(c.recordid) == text), None)

    def region(self, value: Any, field_name: str) -> dict:
        text = str(value).strip().lower()
        for region in REGIONS:
            if text in (str(region["id"]), region["name"].lower()):
                return region
        raise BadRequest(f"{field_name} is not a known region")

    def search_dids(self, region: dict, pattern: str, how: str, size: int) -> list[str]:
        def matches(number: str) -> bool:
            national = number[3:]
            if how in ("start", "starts_with", "begin"):
                return national.startswith(pattern)
            if how in ("end", "ends_with", "last"):
                return national.endswith(pattern)
            return pattern in national

        found = [
            d.number
            for d in self.available.values()
            if d.region_id == region["id"] and matches(d.number)
        ]
        return sorted(found)[:size]

    # -- calls -------------------------------------------------------------------------
    def place_call(
        self,
        kind: str,
        *,
        did_no: str,
        client_no: str,
        start_at: datetime | None = None,
        text_id: bool = False,
        with_dtmf: bool = False,
        **attrs: Any,
    ) -> Call:
        serial = len(self.calls) + 1
        number = LOGID_BASE + serial
        recordid = number if self.shared_ids else RECORDID_BASE + serial
        shape = Shape.draw(self.seed, serial)
        parties = (client_no, attrs.get("first_no"), attrs.get("agent_no"))
        forced = next((self.forced.pop(n) for n in parties if n and n in self.forced), None)
        call = Call(
            recordid=recordid,
            logid=f"call_txt_{number}" if text_id else shape.ident(number),
            shape=shape,
            kind=kind,
            did_no=did_no,
            client_no=client_no,
            created_at=self.now,
            start_at=start_at or self.now,
            plan=draw_plan(random.Random(self.seed + serial), forced, with_dtmf),
            **attrs,
        )
        self.calls[str(call.logid)] = call
        self._schedule_life(call)
        return call

    def _schedule_life(self, call: Call) -> None:
        plan, start = call.plan, call.start_at
        if plan.ring_after is not None:
            self.at(start + timedelta(seconds=plan.ring_after), lambda t: self._ring(call, t))
        if plan.answer_after is not None:
            self.at(start + timedelta(seconds=plan.answer_after), lambda t: self._answer(call, t))
        if plan.dtmf_after is not None and plan.dtmf_after < plan.hangup_after:
            self.at(start + timedelta(seconds=plan.dtmf_after), lambda t: self._dtmf(call, t))
        self.at(
            start + timedelta(seconds=plan.hangup_after),
            lambda t: self.hang_up(call, t, plan.outcome),
        )

    def _ring(self, call: Call, moment: datetime) -> None:
        if call.status not in FINAL_STATUS_WORDS:
            call.status = "ringing"
            self._event(call, "ringing", moment)

    def _answer(self, call: Call, moment: datetime) -> None:
        if call.status not in FINAL_STATUS_WORDS:
            call.status = "in_progress"
            call.answered_at = moment
            self._event(call, "answered", moment)

    def _dtmf(self, call: Call, moment: datetime) -> None:
        if call.status not in FINAL_STATUS_WORDS:
            call.dtmf_input += call.plan.dtmf
            self._event(call, "dtmf", moment, digit=call.plan.dtmf, dtmf_input=call.dtmf_input)

    def hang_up(self, call: Call, moment: datetime, status: str) -> None:
        if call.status in FINAL_STATUS_WORDS:
            return  # already ended (e.g. cancelled through click_connect_update)
        call.status = status
        call.ended_at = moment
        if call.answered_at is not None:
            call.duration = int((moment - call.answered_at).total_seconds())
            if status == "answered":
                call.recording_url = self._recording_url(call)
        self._event(
            call,
            "hangup",
            moment,
            call_status=status,
            call_duration=call.duration,
            recording_url=call.recording_url,
            dtmf_input=call.dtmf_input,
        )
        if call.dialer_id is not None:
            dialer = self.dialers[call.dialer_id]
            self.at(moment, lambda t: self.dial_next(dialer, t))

    def _recording_url(self, call: Call) -> str:
        day = call.start_at.astimezone(IST).strftime("%Y/%m/%d")
        if call.kind in ("c2c", "c2c_two_leg"):  # the doc keeps c2c recordings apart
            return f"{self._base_url()}/monitor/c2c/{day}/c2c_{call.recordid}.mp3"
        return f"{self._base_url()}/monitor/{day}/rec_{call.recordid}.mp3"

    def recording_exists(self, path: str) -> bool:
        return any(
            urlsplit(c.recording_url).path == path for c in self.calls.values() if c.recording_url
        )

    def _event(self, call: Call, word: str, moment: datetime, **extra: Any) -> None:
        call.event_count += 1
        payload = {
            "event_id": f"evt_{call.recordid}_{call.event_count}",
            "event": word,
            "logid": call.logid,
            "recordid": call.shape.ident(call.recordid),
            "sip_call_id": call.sip_call_id,
            "call_type": call.call_type,
            "did_no": call.did_no,
            "client_no": call.client_no,
            "ext_no": call.ext_no,
            "event_time": ist_text(moment),
            "timestamp": int(moment.timestamp()),
            **extra,
        }
        self.outbox.append(call.shape.cut(payload))

    # -- dialers -----------------------------------------------------------------------
    def dial_next(self, dialer: Dialer, moment: datetime) -> None:
        """Start as many queued numbers as the dialer's concurrency and window allow."""
        if dialer.status != "on":
            return
        if not dialer.in_window(moment):
            self.at(dialer.next_window_start(moment), lambda t: self.dial_next(dialer, t))
            return
        live = sum(1 for e in dialer.entries if e.call and e.call.ended_at is None)
        template = next(t for t in self.templates.values() if t.id == dialer.text_template_id)
        for entry in dialer.entries:
            if live >= dialer.no_of_call:
                break
            if entry.call is None:
                entry.call = self.place_call(
                    "dialer",
                    did_no=dialer.did_no,
                    client_no=entry.number,
                    start_at=moment,
                    with_dtmf=True,
                    dialer_id=dialer.id,
                    meta={"name": entry.name, "order_id": entry.order_id, "text": template.text},
                )
                live += 1

    # -- time --------------------------------------------------------------------------
    def at(self, moment: datetime, action: Callable[[datetime], None]) -> None:
        heapq.heappush(self._agenda, (moment, next(self._seq), action))

    def play_until(self, now: datetime) -> None:
        """Apply every agenda item due by `now`, in time order (items may add more)."""
        while self._agenda and self._agenda[0][0] <= now:
            moment, _, action = heapq.heappop(self._agenda)
            action(moment)

    # -- log rows (shapes copied from the doc's examples) ---------------------------------
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

    # -- account endpoints ----------------------------------------------------------------
    # Bookkeeping endpoints that need neither webhooks nor faults; the fake routes
    # `ep_<name>` here when it has no handler of its own. `p` is the merged query and body,
    # already checked for the fields PATHS marks required.
    def ep_get_call_flows(self, p: dict) -> dict:
        return data_reply(CALL_FLOWS)

    def approved_template(self, name: Any = None, template_id: Any = None) -> Template:
        found = [
            t
            for t in self.templates.values()
            if t.name == name or (template_id is not None and t.id == template_id)
        ]
        field_name = "template_name" if name is not None else "text_template_id"
        if not found:
            raise BadRequest(f"{field_name} is not a template on your account")
        if found[0].status != "approved":
            raise BadRequest(f"Template {found[0].name} is not approved yet")
        return found[0]

    def ep_get_customer_lists(self, p: dict) -> dict:
        return data_reply(self.customer_lists)

    def ep_create_customer_list(self, p: dict) -> dict:
        list_id = self.next_id("list")
        self.customer_lists.append(
            {
                "id": list_id,
                "name": str(p["listname"]),
                "count": 0,
                "created_at": ist_text(self.now),
            }
        )
        return ok_reply("Customer list created successfully", list_id=list_id)

    # -- agents and extensions -----------------------------------------------------------
    def ep_change_agent_status(self, p: dict) -> dict:
        agent = self.agent(p["ext_no"])
        agent.enabled = flag(p["status"], "status") == "1"
        return ok_reply("Agent status updated successfully")

    def ep_add_agent(self, p: dict) -> dict:
        email = str(p["email"]).strip()
        if "@" not in email or "." not in email.rpartition("@")[2]:
            raise BadRequest("email is not a valid email address")
        if any(a.email.lower() == email.lower() for a in self.agents.values()):
            raise BadRequest("email is already used by another agent")
        phonenumber = str(p["phonenumber"]).strip()
        if not (phonenumber.isdigit() and len(phonenumber) == 10):
            raise BadRequest("phonenumber must be 10 digits")
        password = str(p["password"])
        missing = [label for test, label in _PASSWORD_RULES if not any(map(test, password))]
        if missing:
            raise BadRequest("password must contain " + ", ".join(missing))
        agent_id, ext_no = self.next_id("agent"), self.free_ext()
        agent = Agent(agent_id, ext_no, str(p["name"]), email, phonenumber, password)
        self.agents[agent.ext_no] = agent
        data = {"agent_id": agent.agent_id, "ext_no": agent.ext_no, "name": agent.name}
        return ok_reply("Agent added successfully", data={**data, "email": agent.email})

    def ep_update_agent_did(self, p: dict) -> dict:
        agent = self.agent(p["agent_ext"], "agent_ext")
        agent.did_no = self.owned_did(p["did_num"], "did_num")
        return ok_reply("Agent DID updated successfully")

    def ep_get_agents(self, p: dict) -> dict:
        today = self.today
        rows = [a.row(today) for a in self.agents.values() if a.kind == "agent"]
        return data_reply(rows, True)

    def ep_get_extensions(self, p: dict) -> dict:
        return data_reply([a.row(self.today) for a in self.agents.values()], True)

    def ep_get_extension(self, p: dict) -> dict:
        agent = self.agents.get(str(p["ext_no"]))
        if agent is None:
            raise BadRequest("Extension not found", 404)
        return data_reply({**agent.row(self.today), "settings": agent.settings}, True)

    def ep_deactivate_extension(self, p: dict) -> dict:
        self.agent(p["ext_no"]).enabled = False
        return ok_reply("Extension user deactivated")

    def ep_set_extension_expiry(self, p: dict) -> dict:
        agent = self.agent(p["ext_no"])
        agent.expiry_date = parse_date(p["expiry_date"], "expiry_date")
        return ok_reply("Extension expiry updated")

    def ep_create_group_extension(self, p: dict) -> dict:
        settings = {k: flag(p[k], k) for k in ("call_forwarding", "connection")}
        if present(p, "kyc_required"):
            settings["kyc_required"] = flag(p["kyc_required"], "kyc_required")
        settings["recording_id"] = str(p["recording_id"])
        ext_no = str(p.get("extn_no") or self.free_ext())
        if ext_no in self.agents:
            raise BadRequest("extn_no already exists")
        agent = Agent(
            self.next_id("agent"),
            ext_no,
            str(p.get("name") or f"Extension {ext_no}"),
            str(p.get("email") or ""),
            national_phone(p["phone"], "phone") if present(p, "phone") else "",
            str(p["password"]),
            kind="group",
            did_no=self.owned_did(p["did_no"], "did_no"),
            settings=settings,
        )
        if present(p, "expiry_date"):
            agent.expiry_date = parse_date(p["expiry_date"], "expiry_date")
        self.agents[ext_no] = agent
        return ok_reply("Group extension created successfully", data={"ext_no": ext_no})

    # -- DID numbers ---------------------------------------------------------------------
    def ep_get_did_list(self, p: dict) -> dict:
        return data_reply([d.row() for d in self.owned.values()], True)

    def ep_get_did_regions(self, p: dict) -> dict:
        return ok_reply("Region found successfully", data=REGIONS)

    def _found(self, numbers: list[str]) -> dict:
        if not numbers:
            return {"status": False, "message": "Numbers not found", "data": []}
        return ok_reply("Numbers found", cost="500", currency="INR", data=numbers)

    def ep_search_did(self, p: dict) -> dict:
        if str(p["country_code"]).upper() not in ("IN", "91", "+91"):
            return self._found([])  # the provider only sells Indian numbers
        region = self.region(p["region"], "region")
        pattern = str(p.get("pattern") or "")
        how = str(p.get("search_pattern") or "contains").lower()
        return self._found(self.search_dids(region, pattern, how, 20))

    def ep_buy_did(self, p: dict) -> dict:
        if str(p["country"]).upper() not in ("IN", "91", "+91"):
            raise BadRequest("country is not supported")
        number = e164(p["number"], "number")
        did = self.available.pop(number, None)
        if did is None:
            raise BadRequest("number is not available to buy")
        self.owned[number] = did
        return ok_reply("Did added to your account", data=number)

    def ep_did_list_v2(self, p: dict) -> dict:
        assigned = {a.did_no: a.ext_no for a in self.agents.values() if a.did_no}
        rows = [{**d.row(), "assigned_ext": assigned.get(d.number)} for d in self.owned.values()]
        return data_reply(rows, True)

    def ep_search_did_v2(self, p: dict) -> dict:
        region = self.region(p["did_region"], "did_region")
        size = as_int(p.get("size") or 20, "size")
        pattern = str(p.get("pattern_last_digits") or "")
        return self._found(self.search_dids(region, pattern, "end", size))

    def _did_config(self, p: dict, keys: tuple[str, ...]) -> dict:
        did = self.owned[self.owned_did(p["did_no"], "did_no")]
        config = {k: flag(p[k], k) for k in keys if present(p, k)}
        config["recording_id"] = str(p["recording_id"])
        for key in ("extn_no", "name", "email", "phone", "expiry_date"):
            if present(p, key):
                config[key] = str(p[key])
        if "expiry_date" in config:
            parse_date(config["expiry_date"], "expiry_date")
        did.config.update(config)
        return ok_reply("DID configured successfully", data={"did_no": did.number, **did.config})

    def ep_did_setup(self, p: dict) -> dict:
        return self._did_config(p, ("call_forwarding", "connection", "kyc_required"))

    ep_group_did_setup = ep_group_did_sip_setup = ep_did_setup

    def ep_did_live_status(self, p: dict) -> dict:
        rows = [{"did_number": n, "status": "live"} for n in self.owned]
        return data_reply(rows, True)

    def ep_agent_did_live_status(self, p: dict) -> dict:
        rows = [
            {"ext_no": a.ext_no, "did_number": a.did_no, "status": "live"}
            for a in self.agents.values()
            if a.did_no
        ]
        return data_reply(rows, True)

    # -- voice bots ----------------------------------------------------------------------
    def ep_get_voicebots(self, p: dict) -> dict:
        return data_reply(VOICEBOTS)

    ep_get_ai_bots = ep_get_voicebots

    def ep_get_voicebot(self, p: dict) -> dict:
        bot = next((b for b in VOICEBOTS if str(b["id"]) == str(p["voicebot_id"])), None)
        if bot is None:
            raise BadRequest("Voice bot not found", 404)
        data = dict(bot)
        if str(p.get("aitraingdata") or "0") == "1":
            data["training_data"] = [f"{bot['name']} answers in {bot['language']}."]
        return data_reply(data, True)

    # -- text-to-speech templates --------------------------------------------------------
    def ep_create_text_template(self, p: dict) -> dict:
        name = str(p["template_name"]).strip()
        if name in self.templates:
            raise BadRequest("template_name already exists")
        template = Template(self.next_id("template"), name, str(p["text_content"]), self.now)
        self.templates[name] = template

        def approve(_moment: Any) -> None:
            template.status = "approved"

        self.at(self.now + timedelta(seconds=TEMPLATE_APPROVAL_SECONDS), approve)
        return ok_reply(
            "Text template created successfully",
            data={"id": template.id, "template_name": name, "status": template.status},
        )

    def ep_text_template_status(self, p: dict) -> dict:
        template = self.templates.get(str(p["template_name"]))
        if template is None:
            raise BadRequest("Template not found", 404)
        return data_reply({"template_name": template.name, "status": template.status}, True)

    def ep_get_text_templates(self, p: dict) -> dict:
        return data_reply([t.row() for t in self.templates.values()], True)

    # -- contacts and variables ----------------------------------------------------------
    def ep_save_contact(self, p: dict) -> dict:
        number = national_phone(p["number"], "number")
        self.contacts[number] = {
            "name": str(p.get("name") or ""),
            "number": number,
            "country_code": str(p.get("country_code") or "+91"),
        }
        return ok_reply("Contact saved successfully")

    def ep_get_contact(self, p: dict) -> dict:
        contact = self.contacts.get(national_phone(p["phone"], "phone"))
        if contact is None:
            raise BadRequest("Contact not found", 404)
        return data_reply(contact, True)

    ep_agent_get_contact = ep_get_contact

    def ep_get_variables(self, p: dict) -> dict:
        return data_reply(CALL_VARIABLES, True)

    def ep_caller_details(self, p: dict) -> dict:
        number = national_phone(p["caller_number"], "caller_number")
        calls = [c for c in self.ended_calls() if number in (c.client_no, c.first_no)]
        return data_reply(
            {
                "contact": self.contacts.get(number),
                "calls": [self.call_log_row(c) for c in calls[-5:]],
            }
        )
