"""Stateful HTTP fake of Robotalker, written from its public "API Developer Guide"
(/work/shared/providers/robotalker.txt).

The doc gives: `Authorization: Bearer <key>` (401 without a valid key), six paths, the
single-call request (`to`, `from`, `message` with `{VARIABLE}`s filled from `variables`,
`voice`, `dtmf` keys with a `webhook` or `optout` action, `webhook_url`) and its response,
the webhook event names and the `call.completed` payload, E.164 for every phone number, and
the status codes 400 (malformed JSON, invalid phone number, missing field), 401, 429
("implement exponential backoff") and 500.

The doc does not give: any error body, the campaign, SMS and contact bodies, status words
other than `queued` and `answered`, the `contact.optout` payload, what a DTMF `webhook`
action posts, how a campaign paces its calls, or the rate limit ("varies by plan"). Our
choices are marked "guess" where they are made, so a real account can correct them in one
place.

Where the doc is silent the answers vary (ids as `campaign_id` or `id`, numbers or text,
extra fields, null fields left out, a call event's status word): see robotalker_shapes.py.
The one answer and the one webhook the doc prints are served as printed.

Error shape (guess) for every error: `{"error": "<message>"}`, the base fake's shape.

Webhooks carry no signature because the doc documents none: our inbox authenticates
Robotalker's events by the secret token in the webhook URL it registers.
"""

from __future__ import annotations

import hmac
import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from heapq import heappop, heappush
from itertools import count
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.robotalker_shapes import Shapes

# name -> (method, path relative to BASE_URL, "doc" | "guess"). Adapters import this table so
# every Robotalker path lives in one place; the fake registers its routes from it too. All
# six paths are printed in the doc; the bodies of campaigns, SMS and contacts are not.
PATHS: dict[str, tuple[str, str, str]] = {
    "create_call": ("POST", "/api/v1/calls", "doc"),
    "call_details": ("GET", "/api/v1/calls/{id}", "doc"),
    "create_campaign": ("POST", "/api/v1/campaigns", "doc"),
    "campaign_details": ("GET", "/api/v1/campaigns/{id}", "doc"),
    "send_sms": ("POST", "/api/v1/sms", "doc"),
    "save_contact": ("POST", "/api/v1/contacts", "doc"),
    "list_contacts": ("GET", "/api/v1/contacts", "doc"),
}
BASE_URL = "https://api.robotalker.com"  # guess: the doc gives paths but no host
AUTH_HEADER = "Authorization"  # doc: "Authorization: Bearer YOUR_API_KEY"

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

DEFAULT_VOICE = "en-US-Neural-F"  # the doc's example voice
# guess: the doc says campaigns "handle throttling internally" but not at what rate.
CAMPAIGN_CALL_GAP = timedelta(seconds=1)
# guess: "rate limits vary by plan"; high enough that only tests that lower it meet it.
DEFAULT_RATE_LIMIT_PER_MINUTE = 10_000

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")  # doc: "E.164 format (+12125550100)"
_VARIABLE_RE = re.compile(r"\{(\w+)\}")  # doc: "{FIRST_NAME}"
_DTMF_KEYS = frozenset("0123456789*#")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


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
            "created_at": _iso(self.created_at),
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
            "answered_at": _iso(self.answered_at),
            "ended_at": _iso(self.ended_at),
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
            "timestamp": _iso(at),
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


class RobotalkerFake(FakeProviderServer):
    """Robotalker over real HTTP on 127.0.0.1, with calls that move only on `advance()`."""

    name = "robotalker"

    def __init__(self, *, api_key: str = "robotalker-test-key", seed: int = 0) -> None:
        self.api_key = api_key
        self.seed = seed
        #: requests per minute of the fake's clock before 429; tests lower it to meet it
        self.rate_limit_per_minute = DEFAULT_RATE_LIMIT_PER_MINUTE
        self.calls: dict[str, RobotalkerCall] = {}
        self.campaigns: dict[str, RobotalkerCampaign] = {}
        self.sms: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}  # number -> contact
        self.webhook_failures: list[tuple[str, dict[str, Any], str]] = []
        self._forced: dict[str, str] = {}  # number -> terminal status
        self._last_webhook_url: dict[str, str | None] = {}  # number -> where its events went
        self._ids = random.Random(f"robotalker-ids-{seed}")
        #: where the doc is silent, answers alternate between shapes (robotalker_shapes)
        self.shapes = Shapes(seed)
        self._numeric_ids = count(40_001)
        self._queue: list[tuple[datetime, int, Any]] = []  # (due, order, action(at))
        self._order = count()
        self._outbox: list[tuple[str | None, dict[str, Any]]] = []  # sent after the lock
        self._window: datetime | None = None
        self._window_used = 0
        super().__init__()

    # -- test helpers --------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What an adapter uses in place of BASE_URL."""
        return self.url

    def force_outcome(self, number: str, status: str) -> None:
        """Make calls to `number` created from now on end with `status`."""
        if status not in TERMINAL_STATUSES:
            raise ValueError(f"{status!r} is not one of {sorted(TERMINAL_STATUSES)}")
        with self._lock:
            self._forced[number] = status

    def opt_out(self, number: str) -> None:
        """The recipient replies STOP: mark the contact opted out and send `contact.optout`."""
        if not E164_RE.match(number):
            raise ValueError(f"{number!r} is not an E.164 number")
        with self._lock:
            self._opt_out(number, self.clock, call=None)
        self._deliver_webhooks()

    def is_opted_out(self, number: str) -> bool:
        contact = self.contacts.get(number)
        return bool(contact and contact["opted_out"])

    # -- the provider's contract -----------------------------------------------------------
    def register_routes(self) -> None:
        handlers = {
            "create_call": self._create_call,
            "call_details": self._call_details,
            "create_campaign": self._create_campaign,
            "campaign_details": self._campaign_details,
            "send_sms": self._send_sms,
            "save_contact": self._save_contact,
            "list_contacts": self._list_contacts,
        }
        for name, (method, path, _source) in PATHS.items():
            self.add_route(method, path, handlers[name])

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        header = request.headers.get(AUTH_HEADER.lower(), "")
        expected = f"Bearer {self.api_key}"
        if not hmac.compare_digest(header.encode(), expected.encode()):
            return self.error_response(401, "Invalid or missing API key")  # status: doc
        # The rate limit counts authenticated requests only: plans are per account.
        return self._spend_rate_limit()

    def _spend_rate_limit(self) -> FakeResponse | None:
        # Fixed one-minute windows of the fake's clock, so a test meets the limit and then
        # clears it with `advance(60)`, never by sleeping.
        with self._lock:
            window = self.clock.replace(second=0, microsecond=0)
            if window != self._window:
                self._window, self._window_used = window, 0
            if self._window_used >= self.rate_limit_per_minute:
                wait = math.ceil((window + timedelta(minutes=1) - self.clock).total_seconds())
                response = self.error_response(429, "Rate limit exceeded")  # status: doc
                # guess: the doc says "implement exponential backoff"; Retry-After is the
                # standard hint and costs a client nothing to ignore.
                response.headers["Retry-After"] = str(max(1, wait))
                return response
            self._window_used += 1
        return None

    def _create_call(self, request: FakeRequest) -> FakeResponse:
        body = _json_object(request)
        to = _phone(body, "to")
        sender = _phone(body, "from")  # guess: required, the doc's example always sends it
        message = _render(_text(body, "message"), _variables(body.get("variables"), "variables"))
        voice = _voice(body.get("voice"))
        dtmf = _dtmf(body.get("dtmf"))
        webhook_url = _url(body.get("webhook_url"), "webhook_url")
        self._refuse_opted_out(to)
        call = self._new_call(to, sender, message, voice, dtmf, webhook_url, self.clock)
        return FakeResponse(201, call.created())  # doc: "200/201: Success"

    def _call_details(self, request: FakeRequest) -> dict[str, Any]:
        call = self.calls.get(request.path_params["id"])
        if call is None:
            raise BadRequest("Call not found", status=404)  # guess: the doc lists no 404
        return self.shapes.answer("call_details", call.details(), "call_id")

    def _create_campaign(self, request: FakeRequest) -> FakeResponse:
        # guess: the doc names the endpoint ("create and schedule a bulk voice broadcasting
        # campaign") without a body; ours reuses the single call's fields plus `name`,
        # `contacts` (each `to` and its own `variables`) and `schedule_at`.
        body = _json_object(request)
        name = _text(body, "name")
        sender = _phone(body, "from")
        message = _text(body, "message")
        shared = _variables(body.get("variables"), "variables")
        voice = _voice(body.get("voice"))
        dtmf = _dtmf(body.get("dtmf"))
        webhook_url = _url(body.get("webhook_url"), "webhook_url")
        recipients = _recipients(body, "contacts", message, shared)
        schedule_at = max(_when(body.get("schedule_at"), "schedule_at") or self.clock, self.clock)

        numeric = self.shapes.numeric_ids("campaign")
        campaign = RobotalkerCampaign(
            campaign_id=str(next(self._numeric_ids)) if numeric else self._new_id("cmp"),
            name=name,
            sender=sender,
            voice=voice,
            dtmf=dtmf,
            webhook_url=webhook_url,
            created_at=self.clock,
            schedule_at=schedule_at,
            recipients=recipients,
        )
        self.campaigns[campaign.campaign_id] = campaign
        for index, (to, text) in enumerate(recipients):
            self._schedule(
                schedule_at + index * CAMPAIGN_CALL_GAP, partial(self._dial, campaign, to, text)
            )
        answer = {
            "campaign_id": campaign.campaign_id,
            "name": campaign.name,
            "status": campaign.status,
            "total_contacts": len(recipients),
            "schedule_at": _iso(schedule_at),
            "created_at": _iso(campaign.created_at),
        }
        return FakeResponse(201, self.shapes.answer("campaign", answer, "campaign_id"))

    def _campaign_details(self, request: FakeRequest) -> dict[str, Any]:
        campaign = self.campaigns.get(request.path_params["id"])
        if campaign is None:
            raise BadRequest("Campaign not found", status=404)
        calls = [self.calls[call_id] for call_id in campaign.call_ids]
        # guess: "aggregate delivery stats" as one count per status word, plus what is still
        # to dial and who was skipped for having opted out.
        stats = {
            "total": len(campaign.recipients),
            "pending": len(campaign.recipients) - campaign.dialed,
            "opted_out": len(campaign.opted_out),
            **dict.fromkeys(STATUS_WORDS, 0),
        }
        for call in calls:
            stats[call.status] += 1
        rows = [{"call_id": c.call_id, "to": c.to, "status": c.status} for c in calls]
        answer = {
            "campaign_id": campaign.campaign_id,
            "name": campaign.name,
            "status": campaign.status,
            "schedule_at": _iso(campaign.schedule_at),
            "created_at": _iso(campaign.created_at),
            "stats": stats,
            # guess: per-call ids, so a dashboard can sync each entry's result back.
            "calls": [self.shapes.answer("campaign_call", row, "call_id") for row in rows],
        }
        return self.shapes.answer("campaign_details", answer, "campaign_id")

    def _send_sms(self, request: FakeRequest) -> FakeResponse:
        # guess: single is `to` + `message`; bulk is `recipients` (each `to` and its own
        # `variables`) with one shared `message`. Both fill {VARIABLE}s like a call does.
        body = _json_object(request)
        sender = _phone(body, "from")
        message = _text(body, "message")
        shared = _variables(body.get("variables"), "variables")
        if "recipients" not in body:
            to = _phone(body, "to")
            text = _render(message, shared)
            self._refuse_opted_out(to)
            sms = self._new_sms(to, sender, text, batch_id=None)
            return FakeResponse(201, self.shapes.answer("sms", sms, "sms_id"))

        batch = _recipients(body, "recipients", message, shared)
        # An opted-out number does not reject the batch: like a campaign, the batch skips it
        # and says so.
        batch_id = self._new_id("smsb")
        messages = [
            self.shapes.answer(
                "sms_row",
                {"sms_id": None, "status": "opted_out", "to": to}
                if self.is_opted_out(to)
                else self._new_sms(to, sender, text, batch_id),
                "sms_id",
            )
            for to, text in batch
        ]
        answer = {"batch_id": batch_id, "count": len(messages), "messages": messages}
        return FakeResponse(201, self.shapes.answer("sms_batch", answer, "batch_id"))

    def _save_contact(self, request: FakeRequest) -> FakeResponse:
        # guess: one POST creates or updates the contact with that `phone` ("create,
        # retrieve, and manage contacts and opt-out status"); `opted_out` sets the status.
        body = _json_object(request)
        phone = _phone(body, "phone")
        opted_out = body.get("opted_out")
        if opted_out is not None and not isinstance(opted_out, bool):
            raise BadRequest("opted_out must be a boolean")
        names = {key: _optional_text(body, key) for key in ("first_name", "last_name")}
        is_new = phone not in self.contacts
        contact = self._contact(phone)
        contact.update({key: value for key, value in names.items() if value is not None})
        if opted_out is not None and opted_out != contact["opted_out"]:
            contact["opted_out"] = opted_out
            contact["opted_out_at"] = _iso(self.clock) if opted_out else None
        return FakeResponse(201 if is_new else 200, dict(contact))

    def _list_contacts(self, request: FakeRequest) -> dict[str, Any]:
        contacts = list(self.contacts.values())
        phone = request.query.get("phone")
        if phone is not None:
            contacts = [c for c in contacts if c["phone"] == phone]
        opted_out = request.query.get("opted_out")
        if opted_out is not None:
            if opted_out not in ("true", "false"):
                raise BadRequest("opted_out must be true or false")
            contacts = [c for c in contacts if c["opted_out"] == (opted_out == "true")]
        return {"contacts": [dict(c) for c in contacts]}

    # -- state -------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        # The doc's ids look like "cal_9x7k2m4p": a prefix and eight lower-case characters.
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        return prefix + "_" + "".join(self._ids.choice(alphabet) for _ in range(8))

    def _refuse_opted_out(self, number: str) -> None:
        if self.is_opted_out(number):
            # guess: the doc has no such error; a provider that keeps opt-out status is
            # expected to refuse to contact the number, and 400 is its "bad request".
            raise BadRequest(f"{number} has opted out")

    def _contact(self, number: str) -> dict[str, Any]:
        if number not in self.contacts:
            self.contacts[number] = {
                "contact_id": self._new_id("con"),
                "phone": number,
                "first_name": None,
                "last_name": None,
                "opted_out": False,
                "opted_out_at": None,
                "created_at": _iso(self.clock),
            }
        return self.contacts[number]

    def _new_sms(self, to: str, sender: str, text: str, batch_id: str | None) -> dict[str, Any]:
        sms_id = self._new_id("sms")
        # "queued" is the call's word from the doc; SMS delivery has no documented event, so
        # the fake never moves an SMS on.
        self.sms[sms_id] = {
            "sms_id": sms_id,
            "status": "queued",
            "to": to,
            "from": sender,
            "message": text,
            "batch_id": batch_id,
            "created_at": _iso(self.clock),
        }
        return {key: self.sms[sms_id][key] for key in ("sms_id", "status", "to", "created_at")}

    def _new_call(
        self,
        to: str,
        sender: str,
        message: str,
        voice: str,
        dtmf: dict[str, dict[str, str]],
        webhook_url: str | None,
        at: datetime,
        campaign_id: str | None = None,
    ) -> RobotalkerCall:
        call = RobotalkerCall(
            call_id=self._new_id("cal"),
            seq=len(self.calls) + 1,
            to=to,
            sender=sender,
            message=message,
            voice=voice,
            dtmf=dtmf,
            webhook_url=webhook_url,
            created_at=at,
            campaign_id=campaign_id,
        )
        self.calls[call.call_id] = call
        self._last_webhook_url[to] = webhook_url
        self._plan(call)
        return call

    def _plan(self, call: RobotalkerCall) -> None:
        """Schedule the call's whole life now, from `random.Random(seed + n)` alone."""
        rng = random.Random(self.seed + call.seq)
        # Draw everything every time, in one order, so forcing an outcome never shifts the
        # numbers a call draws after it.
        roll = rng.uniform(0, 100)
        queued_for = rng.randint(1, 3)
        ring_for = rng.randint(3, 15)
        talk = rng.randint(10, 60)
        voicemail = rng.randint(15, 30)
        key = rng.choice([*sorted(call.dtmf), None]) if call.dtmf else None
        pressed_after = rng.randint(5, talk - 1)
        outcome = self._forced.get(call.to) or _pick(roll)

        if outcome == "failed":  # the carrier refuses it at once
            failed = call.created_at + timedelta(seconds=2)
            self._schedule(failed, partial(self._end, call, outcome))
            return
        ringing = call.created_at + timedelta(seconds=queued_for)
        self._schedule(ringing, partial(self._move, call, "ringing"))
        if outcome == "no_answer":
            # guess: about 30 seconds of ringing before the carrier gives up
            self._schedule(ringing + timedelta(seconds=30), partial(self._end, call, outcome))
            return
        answered = ringing + timedelta(seconds=ring_for)
        self._schedule(answered, partial(self._move, call, "in_progress"))
        if outcome == "voicemail":
            ended = answered + timedelta(seconds=voicemail)
        else:
            ended = answered + timedelta(seconds=talk)
            if key is not None:  # only a person presses keys
                pressed = answered + timedelta(seconds=pressed_after)
                self._schedule(pressed, partial(self._press, call, key))
        self._schedule(ended, partial(self._end, call, outcome))

    def _schedule(self, at: datetime, action: Any) -> None:
        heappush(self._queue, (at, next(self._order), action))

    # -- time --------------------------------------------------------------------------
    def on_tick(self) -> None:
        # Every due step of every call and campaign, in time order (ties in the order they
        # were planned), so webhooks leave in the order things happened. A campaign's dial
        # step adds its call's steps, which may be due in this same tick.
        while self._queue and self._queue[0][0] <= self.clock:
            at, _, action = heappop(self._queue)
            action(at)

    def advance(self, seconds: float) -> None:
        # `on_tick` runs under the server lock; webhooks go out after it is released so a
        # receiver that calls back into the fake (e.g. GET /api/v1/calls/{id}) cannot
        # deadlock.
        super().advance(seconds)
        self._deliver_webhooks()

    def _dial(self, campaign: RobotalkerCampaign, to: str, message: str, at: datetime) -> None:
        campaign.status = "running"
        campaign.dialed += 1
        # Opt-out is checked when the number's turn comes, not when the campaign is made: an
        # opt-out from an earlier call of the same campaign counts.
        if self.is_opted_out(to):
            campaign.opted_out.append(to)
        else:
            call = self._new_call(
                to,
                campaign.sender,
                message,
                campaign.voice,
                campaign.dtmf,
                campaign.webhook_url,
                at,
                campaign.campaign_id,
            )
            campaign.call_ids.append(call.call_id)
        self._check_campaign(campaign)

    def _move(self, call: RobotalkerCall, status: str, at: datetime) -> None:
        call.status = status
        if status == "in_progress":
            call.answered_at = at

    def _press(self, call: RobotalkerCall, key: str, at: datetime) -> None:
        call.dtmf_response = key
        action = call.dtmf[key]
        if action["action"] == "optout":
            self._opt_out(call.to, at, call=call)
            return
        # guess: the doc does not show what a DTMF "webhook" action posts; we send the keys
        # of its call payload that say who pressed what, to the URL given for that key.
        payload = {"call_id": call.call_id, "to": call.to, "dtmf_response": key}
        self._outbox.append((action["url"], {**payload, "timestamp": _iso(at)}))

    def _end(self, call: RobotalkerCall, status: str, at: datetime) -> None:
        call.status = status
        call.ended_at = at
        if call.answered_at is not None:
            call.duration_seconds = int((at - call.answered_at).total_seconds())
        call.amd_result = AMD_RESULTS.get(status)
        event = self.shapes.call_event(call.event(STATUS_EVENTS[status], at), status)
        self._outbox.append((call.webhook_url, event))
        if call.campaign_id:
            self._check_campaign(self.campaigns[call.campaign_id])

    def _check_campaign(self, campaign: RobotalkerCampaign) -> None:
        finished = all(self.calls[i].status in TERMINAL_STATUSES for i in campaign.call_ids)
        if campaign.dialed == len(campaign.recipients) and finished:
            campaign.status = "completed"

    def _opt_out(self, number: str, at: datetime, call: RobotalkerCall | None) -> None:
        contact = self._contact(number)
        if contact["opted_out"]:
            return  # one event per change of status, not per key press
        contact["opted_out"] = True
        contact["opted_out_at"] = _iso(at)
        # guess: the doc names contact.optout without its payload; ours uses only keys of the
        # call payload (call_id is null when the opt-out came by SMS reply). It goes to the
        # webhook of the call it came from, else of the number's last call.
        url = call.webhook_url if call else self._last_webhook_url.get(number)
        payload = {
            "event": "contact.optout",
            "call_id": call.call_id if call else None,
            "to": number,
            "timestamp": _iso(at),
        }
        self._outbox.append((url, self.shapes.optout_event(payload)))

    # -- webhooks ------------------------------------------------------------------------
    def _deliver_webhooks(self) -> None:
        with self._lock:
            pending, self._outbox = self._outbox, []
        for url, payload in pending:
            self._post(url or self.webhook_url, payload)

    def _post(self, url: str | None, payload: dict[str, Any]) -> None:
        # A call without its own webhook_url falls back to `webhook_url` on the fake (an
        # account-wide URL). Only loopback is ever contacted: a doc example URL such as
        # https://yourapp.com/call-status is recorded as not sent.
        if not url or urlsplit(url).hostname not in _LOOPBACK_HOSTS:
            self.webhooks_sent.append((payload, None))
            return
        try:
            # No signature header: the doc documents none (see the module docstring).
            response = requests.post(url, json=payload, timeout=5)
        except requests.RequestException as exc:
            # A receiver that is down must not stop the provider's clock; the failure is
            # kept for the test to inspect.
            self.webhook_failures.append((url, payload, repr(exc)))
            return
        self.webhooks_sent.append((payload, response))


Fake = RobotalkerFake


# -- helpers -----------------------------------------------------------------------------
def _json_object(request: FakeRequest) -> dict[str, Any]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest("Request body must be a JSON object")
    return body


def _phone(body: dict[str, Any], key: str, label: str | None = None) -> str:
    label = label or key
    value = body.get(key)
    if value is None or value == "":
        raise BadRequest(f"Missing required field: {label}")
    if not isinstance(value, str) or not E164_RE.match(value):
        raise BadRequest(f"{label} must be an E.164 phone number such as +12125550100")
    return value


def _text(body: dict[str, Any], key: str) -> str:
    value = _optional_text(body, key)
    if value is None:
        raise BadRequest(f"Missing required field: {key}")
    return value


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    return value


def _voice(value: Any) -> str:
    if value is None:
        return DEFAULT_VOICE
    if not isinstance(value, str) or not value:
        raise BadRequest("voice must be a non-empty string")
    return value


def _variables(value: Any, label: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{label} must be an object")
    for key, item in value.items():
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise BadRequest(f"{label}.{key} must be a string or a number")
    return {key: str(item) for key, item in value.items()}


def _recipients(
    body: dict[str, Any], key: str, message: str, shared: dict[str, str]
) -> list[tuple[str, str]]:
    """`body[key]`, a list of `{to, variables}`, as (number, message with its own variables
    over the shared ones). Every entry is checked, so one bad entry rejects them all."""
    items = body.get(key)
    if items is None:
        raise BadRequest(f"Missing required field: {key}")
    if not isinstance(items, list) or not items:
        raise BadRequest(f"{key} must be a non-empty array")
    recipients = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadRequest(f"{key}[{index}] must be an object")
        to = _phone(item, "to", f"{key}[{index}].to")
        own = _variables(item.get("variables"), f"{key}[{index}].variables")
        recipients.append((to, _render(message, {**shared, **own})))
    return recipients


def _render(message: str, variables: dict[str, str]) -> str:
    # guess: a {VARIABLE} without a value is refused rather than spoken as "{VARIABLE}";
    # a strict fake catches an adapter that forgets one.
    missing = sorted({name for name in _VARIABLE_RE.findall(message) if name not in variables})
    if missing:
        raise BadRequest(f"No value for message variable(s): {', '.join(missing)}")
    return _VARIABLE_RE.sub(lambda match: variables[match.group(1)], message)


def _dtmf(value: Any) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("dtmf must be an object")
    actions: dict[str, dict[str, str]] = {}
    for key, action in value.items():
        if key not in _DTMF_KEYS:
            raise BadRequest(f"dtmf key {key!r} must be one of 0-9, * or #")
        kind = action.get("action") if isinstance(action, dict) else None
        if kind == "optout":
            actions[key] = {"action": "optout"}
        elif kind == "webhook":
            url = _url(action.get("url"), f"dtmf.{key}.url")
            if url is None:
                raise BadRequest(f"Missing required field: dtmf.{key}.url")
            actions[key] = {"action": "webhook", "url": url}
        else:
            raise BadRequest(f"dtmf.{key}.action must be 'webhook' or 'optout'")
    return actions


def _url(value: Any, label: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise BadRequest(f"{label} must be an http(s) URL")
    return value


def _when(value: Any, label: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequest(f"{label} must be an ISO 8601 time with a zone, e.g. 2025-04-15T10:30:00Z")
    return moment.astimezone(UTC)


def _pick(roll: float) -> str:
    for outcome, weight in OUTCOME_WEIGHTS:
        if roll < weight:
            return outcome
        roll -= weight
    return OUTCOME_WEIGHTS[-1][0]


def _iso(moment: datetime | None) -> str | None:
    """The doc's timestamp style: `2025-04-15T10:30:00Z`."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
