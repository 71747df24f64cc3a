"""State, validation and call simulation behind the IVR Solutions fake (`ivrsolutions.py`).

Everything here is plain Python with no HTTP: the fake's handlers translate requests into
calls on `IVRState`, which raises `BadRequest` for bad input. The account bookkeeping
endpoints (agents, DIDs, templates, contacts) are answered by the state directly (its
mixin in `ivrsolutions_account.py`), so the fake keeps only routing, auth, faults,
webhooks and the call-placing and log endpoints. Words, seed data and field checks are in
`ivrsolutions_fields.py`, the records and their log rows in `ivrsolutions_records.py`.
Time never moves by itself: the fake calls `play_until(clock)` from `on_tick`, and changes
that need time (a call ringing, a template being approved, a dialer dialling its next
number) wait on an agenda ordered by time until then.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.base import BadRequest
from tests.fakes.ivrsolutions_account import AccountEndpoints
from tests.fakes.ivrsolutions_fields import (  # noqa: F401 - the state's API
    CALL_FLOWS,
    CALL_VARIABLES,
    DISPOSITIONS,
    EVENT_WORDS,
    FINAL_STATUS_WORDS,
    FORCEABLE_OUTCOMES,
    IST,
    NOTE_CALL_TYPES,
    OUTCOME_WEIGHTS,
    RECORDING_BYTES,
    REGIONS,
    RING_TIMEOUT_SECONDS,
    STATUS_WORDS,
    TEMPLATE_APPROVAL_SECONDS,
    VOICEBOTS,
    as_int,
    data_reply,
    e164,
    flag,
    ist_text,
    national_phone,
    ok_reply,
    parse_date,
    parse_hhmm,
    parse_schedule,
    present,
)
from tests.fakes.ivrsolutions_records import (  # noqa: F401 - the state's API
    Agent,
    Call,
    Dialer,
    DialerEntry,
    Did,
    LogRows,
    Plan,
    Template,
    draw_plan,
)
from tests.fakes.ivrsolutions_shapes import LOGID_BASE, RECORDID_BASE, Shape


# -- the account --------------------------------------------------------------------------
class IVRState(LogRows, AccountEndpoints):
    """One provider account: inventory, agents, dialers, templates and calls. Its log rows
    and bookkeeping endpoints are the mixins of ivrsolutions_records and _account."""

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
