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
from datetime import datetime, timedelta
from functools import partial
from itertools import count
from typing import Any

from tests.fakes import robotalker_fields as fields
from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse
from tests.fakes.robotalker_calls import (  # noqa: F401 - the fake's API
    AMD_RESULTS,
    CAMPAIGN_CALL_GAP,
    CAMPAIGN_STATUS_WORDS,
    DEFAULT_RATE_LIMIT_PER_MINUTE,
    OUTCOME_WEIGHTS,
    STATUS_EVENTS,
    STATUS_WORDS,
    TERMINAL_STATUSES,
    RobotalkerCall,
    RobotalkerCampaign,
)
from tests.fakes.robotalker_dialer import Dialer
from tests.fakes.robotalker_fields import DEFAULT_VOICE, E164_RE  # noqa: F401 - the fake's API
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


class RobotalkerFake(Dialer, FakeProviderServer):
    """Robotalker over real HTTP on 127.0.0.1, with calls that move only on `advance()`.

    How calls and campaigns play forward, and the webhooks they send, is the `Dialer`
    mixin (robotalker_dialer); the field checks are robotalker_fields."""

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
        body = fields.json_object(request)
        to = fields.phone(body, "to")
        sender = fields.phone(body, "from")  # guess: required, the doc's example always sends it
        message = fields.render(
            fields.text(body, "message"), fields.variables(body.get("variables"), "variables")
        )
        voice = fields.voice(body.get("voice"))
        dtmf = fields.dtmf(body.get("dtmf"))
        webhook_url = fields.optional_url(body.get("webhook_url"), "webhook_url")
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
        body = fields.json_object(request)
        name = fields.text(body, "name")
        sender = fields.phone(body, "from")
        message = fields.text(body, "message")
        shared = fields.variables(body.get("variables"), "variables")
        voice = fields.voice(body.get("voice"))
        dtmf = fields.dtmf(body.get("dtmf"))
        webhook_url = fields.optional_url(body.get("webhook_url"), "webhook_url")
        recipients = fields.recipients(body, "contacts", message, shared)
        schedule_at = max(
            fields.when(body.get("schedule_at"), "schedule_at") or self.clock, self.clock
        )

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
            "schedule_at": fields.iso(schedule_at),
            "created_at": fields.iso(campaign.created_at),
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
            "schedule_at": fields.iso(campaign.schedule_at),
            "created_at": fields.iso(campaign.created_at),
            "stats": stats,
            # guess: per-call ids, so a dashboard can sync each entry's result back.
            "calls": [self.shapes.answer("campaign_call", row, "call_id") for row in rows],
        }
        return self.shapes.answer("campaign_details", answer, "campaign_id")

    def _send_sms(self, request: FakeRequest) -> FakeResponse:
        # guess: single is `to` + `message`; bulk is `recipients` (each `to` and its own
        # `variables`) with one shared `message`. Both fill {VARIABLE}s like a call does.
        body = fields.json_object(request)
        sender = fields.phone(body, "from")
        message = fields.text(body, "message")
        shared = fields.variables(body.get("variables"), "variables")
        if "recipients" not in body:
            to = fields.phone(body, "to")
            text = fields.render(message, shared)
            self._refuse_opted_out(to)
            sms = self._new_sms(to, sender, text, batch_id=None)
            return FakeResponse(201, self.shapes.answer("sms", sms, "sms_id"))

        batch = fields.recipients(body, "recipients", message, shared)
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
        body = fields.json_object(request)
        phone = fields.phone(body, "phone")
        opted_out = body.get("opted_out")
        if opted_out is not None and not isinstance(opted_out, bool):
            raise BadRequest("opted_out must be a boolean")
        names = {key: fields.optional_text(body, key) for key in ("first_name", "last_name")}
        is_new = phone not in self.contacts
        contact = self._contact(phone)
        contact.update({key: value for key, value in names.items() if value is not None})
        if opted_out is not None and opted_out != contact["opted_out"]:
            contact["opted_out"] = opted_out
            contact["opted_out_at"] = fields.iso(self.clock) if opted_out else None
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
                "created_at": fields.iso(self.clock),
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
            "created_at": fields.iso(self.clock),
        }
        return {key: self.sms[sms_id][key] for key in ("sms_id", "status", "to", "created_at")}


Fake = RobotalkerFake
