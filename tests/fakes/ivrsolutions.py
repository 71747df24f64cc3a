"""Stateful HTTP fake of IVR Solutions, written from /work/shared/providers/ivrsolutions.txt.

The doc's endpoint reference lost most of its headings, so it names a handful of paths
(`/api/c2c_post`, `/api/call_logs`, `/ivrappv2/buy_did`, ...) and only describes the rest.
`PATHS` lists all 64 described endpoints with the path the fake serves and whether the doc
gives that path ("doc") or it is our evident guess ("guess": `/api/<name>`). The adapter
imports the same table so the two never drift apart.

Methods: the doc gives GET for `call_logs` and both GET and POST for `c2c_post`. For the
others, endpoints the doc shows with a JSON request body are POST; endpoints that take
nothing or only query parameters are GET.

Webhook signing is our decision, written down beside PATHS below. What the fake varies
where the doc is silent (id spaces and types, optional fields, signature forms, refusal
shapes) is in `ivrsolutions_shapes`.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse, Fault
from tests.fakes.ivrsolutions_shapes import refusal_in_http_200, sign, signature_form
from tests.fakes.ivrsolutions_state import (
    CALL_FLOWS,
    DISPOSITIONS,
    FORCEABLE_OUTCOMES,
    IST,
    NOTE_CALL_TYPES,
    RECORDING_BYTES,
    STATUS_WORDS,
    VOICEBOTS,
    Call,
    Dialer,
    DialerEntry,
    IVRState,
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

__all__ = ["PATHS", "STATUS_WORDS", "Endpoint", "Fake", "IVRSolutionsFake"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    source: str  # "doc": the doc gives this path; "guess": our evident guess
    required: tuple[str, ...] = ()  # exactly the fields the doc's table marks "required"
    #: fields the doc does not mark but without which the fake cannot act (also answer 400)
    needs: tuple[str, ...] = ()


def _ep(name: str, method: str, source: str = "guess", required: str = "", needs: str = ""):
    path = "/ivrappv2/buy_did" if name == "buy_did" else f"/api/{name}"
    if name == "c2c_post_get":
        path = "/api/c2c_post"
    if name in ("did_list_v2", "search_did_v2"):  # the second DID group sits beside buy_did
        path = f"/ivrappv2/{name.removesuffix('_v2')}"
    return Endpoint(name, method, path, source, tuple(required.split()), tuple(needs.split()))


# Webhooks. The doc says only that events are POSTed to the registered `webhookurl`
# "signed with your key" (the `secret_key` given to register_webhook), not how. Guess:
#     X-IVR-Signature: HMAC-SHA256 of the raw request body keyed with secret_key, as hex,
#                      `sha256=<hex>` or base64, drawn per event; some events go unsigned
#     X-IVR-Timestamp: <unix seconds of the event>  (the signed body repeats it as `timestamp`)
# The body is JSON: a unique `event_id`, the call's `logid` (exactly as the placing request
# got it: an int or text, or "call_txt_..." from dial_by_text) and `recordid` (the id the
# logs use, another id space), `event` (ringing | answered | dtmf | hangup), `event_time`,
# `sip_call_id`, `call_type`, `did_no`, `client_no`, `ext_no`; a dtmf event adds `digit`
# and `dtmf_input`; a hangup adds `call_status` (a STATUS_WORDS word), `call_duration`,
# `recording_url` and `dtmf_input`. Without a secret_key the events go unsigned. Events
# fall due as `advance()` moves the clock and are sent, in time order, before it returns
# (outside the server lock, so a receiver may call back into the fake); an event raised by
# a request (a click_connect_update cancel) goes out with the next advance/flush_webhooks.
PATHS: list[Endpoint] = [
    # Click-to-call
    _ep("c2c_post_get", "GET", "doc", "token did ext_no phone"),
    _ep("c2c_post", "POST", "doc", "did ext_no phone"),
    _ep("c2c_two_leg", "POST", "guess", "did first_phone second_phone"),
    _ep("c2c_recordings", "GET"),
    # Number masking
    _ep("click_connect", "POST", "guess", "first_phone second_phone did"),
    _ep("click_connect_update", "POST", "doc", "action did first_number"),
    _ep("click_connect_logs", "POST", "doc"),
    # Outbound: flows, text calls, dialers, customer lists
    _ep("get_call_flows", "GET"),
    _ep("dial_by_flow", "POST", "guess", "did_no flow_id customer_no"),
    _ep("dial_by_text", "POST", "doc", "did_no customer_no template_name"),
    _ep("get_dialers", "GET"),
    _ep("add_to_ivrdialer", "POST", "guess", "dialerid number"),
    _ep("add_to_ivrdialerbulk", "POST", "doc", "dialerid numbers"),
    _ep("change_dialer_status", "POST", "doc", "dialerid status"),
    _ep("get_customer_lists", "GET"),
    _ep("create_customer_list", "POST", "guess", "listname"),
    _ep(
        "create_text_dialer",
        "POST",
        "doc",
        "name did_no no_of_call start_time end_time text_template_id",
    ),
    _ep("edit_text_dialer", "POST", "guess", "id"),
    _ep("add_dialer_records", "POST"),
    _ep("call_by_flow", "GET", "guess", "token did flow phone"),
    # Agents and extensions
    _ep("change_agent_status", "POST", "guess", "ext_no status"),
    _ep("add_agent", "POST", "guess", "name email phonenumber password"),
    _ep("update_agent_did", "POST", "guess", "agent_ext did_num"),
    _ep("get_agents", "GET"),
    _ep("get_extensions", "GET"),
    _ep("get_extension", "POST", needs="ext_no"),
    _ep("deactivate_extension", "POST", needs="ext_no"),
    _ep("set_extension_expiry", "POST", needs="ext_no expiry_date"),
    _ep(
        "create_group_extension",
        "POST",
        "guess",
        "call_forwarding connection did_no password recording_id",
    ),
    # Call logs, status and notes
    _ep("call_logs", "GET", "doc"),
    _ep("call_logs_by_number", "GET", "guess", "token phone"),
    _ep("c2c_logs", "GET"),
    _ep("c2c_logs_by_number", "GET", "guess", "token phone"),
    _ep("dialer_logs", "POST", "doc"),
    _ep("get_call_status", "GET", "doc"),
    _ep("update_call_note", "POST", "guess", "record_id call_status call_type"),
    _ep("sync_call_logs", "POST"),
    _ep("add_call_note", "POST", "guess", "sip_call_id note"),
    # DID numbers
    _ep("get_did_list", "GET"),
    _ep("get_did_regions", "GET"),
    _ep("search_did", "POST", "guess", "country_code region"),
    _ep("buy_did", "POST", "doc", "country number"),
    _ep("did_list_v2", "GET"),
    _ep("search_did_v2", "POST", needs="did_region"),
    _ep(
        "did_setup",
        "POST",
        "guess",
        "call_forwarding connection password recording_id",
        needs="did_no",
    ),
    _ep(
        "group_did_setup",
        "POST",
        "guess",
        "call_forwarding connection kyc_required password recording_id",
        needs="did_no",
    ),
    _ep(
        "group_did_sip_setup",
        "POST",
        "guess",
        "call_forwarding connection kyc_required password recording_id",
        needs="did_no",
    ),
    _ep("did_live_status", "POST"),
    _ep("agent_did_live_status", "POST"),
    # AI voice bots
    _ep("get_voicebots", "GET"),
    _ep("dial_by_aivoicebot", "POST", "doc", needs="customer_no"),
    _ep("dial_by_voicebot", "POST", needs="customer_no"),
    _ep("get_ai_bots", "GET"),
    _ep("get_voicebot", "POST", "guess", "voicebot_id"),
    # Text-to-speech templates
    _ep("create_text_template", "POST", needs="template_name text_content"),
    _ep("text_template_status", "POST", needs="template_name"),
    _ep("get_text_templates", "GET"),
    # Contacts and variables
    _ep("save_contact", "POST", needs="number"),
    _ep("get_contact", "POST", needs="phone"),
    _ep("agent_get_contact", "POST", needs="phone"),
    _ep("get_variables", "GET"),
    _ep("caller_details", "POST", "guess", "caller_number"),
    # Webhooks and CRM
    _ep("register_webhook", "POST", needs="webhookurl"),
    _ep("crm_leads", "GET"),
]


class IVRSolutionsFake(FakeProviderServer):
    name = "ivrsolutions"

    def __init__(
        self, *, api_token: str = "ivr-test-token", seed: int = 0, shared_ids: bool = False
    ) -> None:
        self.api_token = api_token
        self.seed = seed
        self._events_signed = 0
        self._refusals = 0
        self.secret_key: str | None = None
        #: (payload, error text) for webhooks the receiver never got (connection refused...)
        self.webhook_errors: list[tuple[dict, str]] = []
        #: responses computed for requests whose client was left hanging by a timeout fault
        self.unsent_responses: list[tuple[FakeRequest, FakeResponse]] = []
        self._current = threading.local()
        super().__init__()
        self.state = IVRState(seed, lambda: self.clock, lambda: self.url, shared_ids=shared_ids)

    # -- test helpers --------------------------------------------------------------------
    @property
    def calls(self) -> dict[str, Call]:
        """Every call by the id its placing request returned, as text ("123456", "call_txt_...")."""
        return self.state.calls

    def force_outcome(self, phone: str, status: str) -> None:
        """Fix the outcome of the next call that involves `phone` (any accepted format)."""
        if status not in FORCEABLE_OUTCOMES:
            raise ValueError(f"status must be one of {FORCEABLE_OUTCOMES}")
        with self._lock:
            self.state.forced[national_phone(phone, "phone")] = status

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.flush_webhooks()

    def on_tick(self) -> None:
        self.state.play_until(self.clock)

    def flush_webhooks(self) -> None:
        """Sign and send queued events; called by `advance` (and usable after a cancel)."""
        with self._lock:
            batch, self.state.outbox = self.state.outbox, []
        for payload in batch:
            body = json.dumps(payload, separators=(",", ":")).encode()
            headers = {"X-IVR-Timestamp": str(payload["timestamp"])}
            if self.secret_key:
                self._events_signed += 1
                form = signature_form(self.seed, self._events_signed)
                signature = sign(body, self.secret_key, form)
                if signature is not None:
                    headers["X-IVR-Signature"] = signature
            try:
                self.send_webhook(payload, headers=headers, raw=body)
            except requests.RequestException as exc:
                self.webhook_errors.append((payload, repr(exc)))

    # -- framework hooks -----------------------------------------------------------------
    def error_response(self, status: int, message: str) -> FakeResponse:
        if status == 400:
            # A refusal: the doc shows none, so half come inside HTTP 200 (the shape its
            # `"status": true` successes suggest), half as HTTP 400.
            self._refusals += 1
            if refusal_in_http_200(self.seed, self._refusals):
                return FakeResponse(status=200, body={"status": False, "message": message})
        return FakeResponse(status=status, body={"status": status, "message": message})

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if request.path.startswith("/monitor/"):
            return None  # recording links are plain URLs in the doc's logs, fetched as-is
        offered: list[str] = []
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, value = header.partition(" ")
            offered.append(value.strip() if scheme.lower() == "bearer" else "")
        if "token" in request.query:
            offered.append(request.query["token"])
        try:
            form_token = request.form().get("token")
        except BadRequest:
            form_token = None  # a malformed body is reported by the handler, not here
        if form_token is not None:
            offered.append(str(form_token))
        expected = self.api_token.encode()
        if not offered or not all(hmac.compare_digest(t.encode(), expected) for t in offered):
            return self.error_response(401, "Invalid token")
        return None

    def _respond(self, request: FakeRequest) -> FakeResponse | None:
        self._current.request = request
        return super()._respond(request)

    def _take_fault(self, path: str) -> Fault | None:
        # A timeout fault models the provider doing the work while the client never hears
        # back: the request is applied (a c2c_post still places its call, findable later in
        # get_call_status and the logs), and only then is the answer withheld.
        fault = super()._take_fault(path)
        if fault is not None and fault.kind == "timeout":
            request = self._current.request
            handler, params = self._match(request)
            if handler is not None and self.authenticate(request) is None:
                request.path_params = params
                try:
                    with self._lock:
                        result = handler(request)
                except BadRequest as exc:
                    result = self.error_response(exc.status, exc.message)
                if not isinstance(result, FakeResponse):
                    result = FakeResponse(200, result)
                self.unsent_responses.append((request, result))
        return fault

    def register_routes(self) -> None:
        for endpoint in PATHS:
            self.add_route(endpoint.method, endpoint.path, self._wrap(endpoint))
        self.add_route("GET", "/monitor/c2c/{y}/{m}/{d}/{file}", self._recording)
        self.add_route("GET", "/monitor/{y}/{m}/{d}/{file}", self._recording)

    def _wrap(self, endpoint: Endpoint) -> Callable[[FakeRequest], Any]:
        def handle(request: FakeRequest) -> Any:
            # Call-placing and log endpoints live on the fake (they touch time, faults and
            # webhooks); pure account bookkeeping is answered by the state object.
            name = f"ep_{endpoint.name}"
            method = getattr(self, name, None) or getattr(self.state, name)
            params: dict[str, Any] = dict(request.query)
            if request.body:
                params.update(request.form())
            # `token` is marked required on a few endpoints, but authenticate() has already
            # checked it (a Bearer header satisfies it too); missing credentials are a 401.
            for key in (*endpoint.required, *endpoint.needs):
                if key != "token" and not present(params, key):
                    raise BadRequest(f"{key} is required")
            return method(params)

        return handle

    def _recording(self, request: FakeRequest) -> FakeResponse:
        if not self.state.recording_exists(request.path):
            return self.error_response(404, "Recording not found")
        return FakeResponse(200, RECORDING_BYTES, content_type="audio/mpeg")

    # -- click-to-call and masking -------------------------------------------------------
    def ep_c2c_post(self, p: dict) -> dict:
        s = self.state
        did = s.owned_did(p["did"], "did")
        agent = s.active_agent(p["ext_no"])
        phone = national_phone(p["phone"], "phone")
        call = s.place_call(
            "c2c",
            did_no=did,
            client_no=phone,
            agent_no=agent.phonenumber,
            ext_no=agent.ext_no,
            attended_by=agent.name,
        )
        return {"status": 200, "message": "Call connecting. Please wait...", "logid": call.logid}

    ep_c2c_post_get = ep_c2c_post

    def _two_party(self, kind: str, p: dict) -> Call:
        s = self.state
        did = s.owned_did(p["did"], "did")
        first = national_phone(p["first_phone"], "first_phone")
        second = national_phone(p["second_phone"], "second_phone")
        if first == second:
            raise BadRequest("first_phone and second_phone must differ")
        start = parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock)
        meta = {"body": p.get("body") or ""}
        return s.place_call(
            kind, did_no=did, client_no=second, first_no=first, start_at=start, meta=meta
        )

    def ep_c2c_two_leg(self, p: dict) -> dict:
        call = self._two_party("c2c_two_leg", p)
        return {"status": 200, "message": "Call connecting. Please wait...", "logid": call.logid}

    def ep_c2c_recordings(self, p: dict) -> dict:
        calls = self.state.ended_calls("c2c", "c2c_two_leg")
        return data_reply(
            [
                {
                    "recordid": c.recordid,
                    "client_no": c.client_no,
                    "call_time": ist_text(c.start_at),
                    "recording_url": c.recording_url,
                }
                for c in calls
                if c.recording_url
            ]
        )

    def ep_click_connect(self, p: dict) -> dict:
        call = self._two_party("click_connect", p)
        return {"status": 200, "message": "Call connecting. Please wait...", "logid": call.logid}

    def ep_click_connect_update(self, p: dict) -> dict:
        action = str(p["action"]).lower()
        if action not in ("cancel", "update"):
            raise BadRequest("action must be cancel or update")
        did = e164(p["did"], "did")
        first = national_phone(p["first_number"], "first_number")
        live = [
            c
            for c in self.state.calls.values()
            if c.kind == "click_connect" and c.did_no == did and c.first_no == first
            if c.ended_at is None
        ]
        if not live:
            return self.error_response(404, "No live session for this did and first_number")
        call = live[-1]
        if action == "cancel":
            self.state.hang_up(call, self.clock, "cancelled")
            return ok_reply("Session cancelled", logid=call.logid)
        call.meta["body"] = p.get("body") or ""
        return ok_reply("Session updated", logid=call.logid)

    def ep_click_connect_logs(self, p: dict) -> dict:
        calls = self._in_range(p, self.state.ended_calls("click_connect"))
        if present(p, "did"):
            did = e164(p["did"], "did")
            calls = [c for c in calls if c.did_no == did]
        order = str(p.get("orderby") or "asc").lower()
        if order not in ("asc", "desc"):
            raise BadRequest("orderby must be asc or desc")
        rows = [self.state.click_connect_row(c) for c in calls]
        return data_reply(rows[::-1] if order == "desc" else rows)

    # -- outbound calls and dialers ------------------------------------------------------
    def _flow(self, value: Any, field_name: str) -> int:
        flow_id = as_int(value, field_name)
        if flow_id not in {f["id"] for f in CALL_FLOWS}:
            raise BadRequest(f"{field_name} is not a call flow on your account")
        return flow_id

    def _flow_call(self, did: Any, flow: Any, phone: Any, p: dict, keys: tuple) -> dict:
        s = self.state
        call = s.place_call(
            "flow",
            did_no=s.owned_did(did, keys[0]),
            client_no=national_phone(phone, keys[2]),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            with_dtmf=True,
            meta={"flow_id": self._flow(flow, keys[1]), "body": p.get("body") or ""},
        )
        return {"status": 200, "message": "Call initiated successfully", "logid": call.logid}

    def ep_dial_by_flow(self, p: dict) -> dict:
        keys = ("did_no", "flow_id", "customer_no")
        return self._flow_call(p["did_no"], p["flow_id"], p["customer_no"], p, keys)

    def ep_call_by_flow(self, p: dict) -> dict:
        return self._flow_call(p["did"], p["flow"], p["phone"], p, ("did", "flow", "phone"))

    def ep_dial_by_text(self, p: dict) -> dict:
        s = self.state
        template = self.state.approved_template(name=str(p["template_name"]))
        variables = [v.strip() for v in str(p.get("Variable") or "").split(",") if v.strip()]
        call = s.place_call(
            "text",
            did_no=s.owned_did(p["did_no"], "did_no"),
            client_no=national_phone(p["customer_no"], "customer_no"),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            text_id=True,  # the doc's answer here is a string call_id, not a numeric logid
            with_dtmf=True,
            meta={"template": template.name, "variables": variables, "flow_id": p.get("flow_id")},
        )
        return {"status": 200, "message": "Call initiated successfully", "call_id": call.logid}

    def ep_get_dialers(self, p: dict) -> dict:
        return data_reply([d.row() for d in self.state.dialers.values()])

    def _dialer(self, value: Any, field_name: str = "dialerid") -> Dialer:
        dialer = self.state.dialers.get(as_int(value, field_name))
        if dialer is None:
            raise BadRequest(f"{field_name} is not a dialer on your account")
        return dialer

    def _entry(self, item: Any, where: str) -> DialerEntry:
        if isinstance(item, str | int):
            return DialerEntry(national_phone(item, where))
        if not isinstance(item, dict) or not present(item, "number"):
            raise BadRequest(f"{where}.number is required")
        return DialerEntry(
            national_phone(item["number"], f"{where}.number"),
            str(item.get("name") or ""),
            str(item.get("order_id") or ""),
        )

    def _enqueue(self, dialer: Dialer, entries: list[DialerEntry]) -> None:
        dialer.entries.extend(entries)
        if dialer.status == "on":
            self.state.at(self.clock, lambda t: self.state.dial_next(dialer, t))
            self.state.play_until(self.clock)

    def ep_add_to_ivrdialer(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        entry = DialerEntry(
            national_phone(p["number"], "number"),
            str(p.get("name") or ""),
            str(p.get("order_id") or ""),
        )
        self._enqueue(dialer, [entry])
        return ok_reply("Number added to dialer successfully")

    def _records(self, value: Any, field_name: str) -> list:
        if isinstance(value, str):  # a form post carries the array as JSON text
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise BadRequest(f"{field_name} must be an array") from exc
        if not isinstance(value, list):
            raise BadRequest(f"{field_name} must be an array")
        return value

    def ep_add_to_ivrdialerbulk(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        numbers = self._records(p["numbers"], "numbers")
        if len(numbers) > 100:
            raise BadRequest("numbers accepts at most 100 entries per request")
        entries = [self._entry(item, f"numbers[{i}]") for i, item in enumerate(numbers)]
        self._enqueue(dialer, entries)
        return ok_reply(f"{len(entries)} numbers added to dialer successfully")

    def ep_change_dialer_status(self, p: dict) -> dict:
        dialer = self._dialer(p["dialerid"])
        status = str(p["status"]).lower()
        if status not in ("on", "off"):  # the doc's list shows only these two states
            raise BadRequest("status must be on or off")
        dialer.status = status
        if status == "on":
            self._enqueue(dialer, [])
        return ok_reply(f"Dialer status changed to {status}")

    def _dialer_fields(self, p: dict) -> dict:
        """Validated dialer settings; a null/absent field leaves an edited dialer unchanged."""
        out: dict[str, Any] = {}
        if present(p, "name"):
            out["name"] = str(p["name"])
        if present(p, "did_no"):
            out["did_no"] = self.state.owned_did(p["did_no"], "did_no")
        if present(p, "no_of_call"):
            out["no_of_call"] = as_int(p["no_of_call"], "no_of_call")
            if out["no_of_call"] < 1:
                raise BadRequest("no_of_call must be at least 1")
        for key in ("start_time", "end_time"):
            if present(p, key):
                out[key] = parse_hhmm(p[key], key)
        if present(p, "text_template_id"):
            template_id = as_int(p["text_template_id"], "text_template_id")
            out["text_template_id"] = self.state.approved_template(template_id=template_id).id
        if present(p, "send_call_flow_id"):
            out["send_call_flow_id"] = as_int(p["send_call_flow_id"], "send_call_flow_id")
        return out

    def ep_create_text_dialer(self, p: dict) -> dict:
        dialer = Dialer(id=self.state.next_id("dialer"), **self._dialer_fields(p))
        self.state.dialers[dialer.id] = dialer
        return ok_reply("Text dialer created successfully", dialer_id=dialer.id)

    def ep_edit_text_dialer(self, p: dict) -> dict:
        dialer = self._dialer(p["id"], "id")
        for key, value in self._dialer_fields(p).items():
            setattr(dialer, key, value)
        return ok_reply("Dialer updated successfully")

    def ep_add_dialer_records(self, p: dict) -> dict:
        records = self._records(p.get("recordList") or [], "recordList")
        entries = [self._entry(item, f"recordList[{i}]") for i, item in enumerate(records)]
        # The doc shows no dialer id for this endpoint; an optional `dialerid` routes the
        # records to a dialer, otherwise they wait on the account like an upload.
        if present(p, "dialerid"):
            self._enqueue(self._dialer(p["dialerid"]), entries)
        else:
            self.state.unassigned_records.extend(vars(e) for e in entries)
        return ok_reply(f"{len(entries)} records added successfully")

    # -- logs, status and notes ----------------------------------------------------------
    def _in_range(self, p: dict, calls: list[Call]) -> list[Call]:
        lo = parse_date(p["from_date"], "from_date") if present(p, "from_date") else None
        hi = parse_date(p["to_date"], "to_date") if present(p, "to_date") else None
        if lo and hi and lo > hi:
            raise BadRequest("from_date must not be after to_date")
        return [
            c
            for c in calls
            if (lo is None or lo <= c.start_at.astimezone(IST).date())
            and (hi is None or c.start_at.astimezone(IST).date() <= hi)
        ]

    def ep_call_logs(self, p: dict) -> dict:
        # The doc documents no pagination for call_logs: the whole range comes back at
        # once. It holds "click-to-call, dialer and inbound" calls: masked sessions are in
        # click_connect_logs.
        ended = [c for c in self.state.ended_calls() if c.kind != "click_connect"]
        calls = self._in_range(p, ended)
        return data_reply([self.state.call_log_row(c) for c in calls])

    def _by_number(self, p: dict, calls: list[Call]) -> list[Call]:
        phone = national_phone(p["phone"], "phone")
        return [c for c in calls if phone in (c.client_no, c.first_no, c.agent_no)]

    def ep_call_logs_by_number(self, p: dict) -> dict:
        calls = self._by_number(p, self.state.ended_calls())
        return data_reply([self.state.call_log_row(c) for c in calls])

    def ep_c2c_logs(self, p: dict) -> dict:
        calls = self.state.ended_calls("c2c", "c2c_two_leg")
        return data_reply([self.state.c2c_log_row(c) for c in calls])

    def ep_c2c_logs_by_number(self, p: dict) -> dict:
        calls = self._by_number(p, self.state.ended_calls("c2c", "c2c_two_leg"))
        return data_reply([self.state.c2c_log_row(c) for c in calls])

    def ep_dialer_logs(self, p: dict) -> dict:
        calls = self.state.ended_calls("dialer")
        if present(p, "dialerid"):
            dialer_id = as_int(p["dialerid"], "dialerid")
            calls = [c for c in calls if c.dialer_id == dialer_id]
        return data_reply([self.state.dialer_log_row(c) for c in calls])

    def ep_get_call_status(self, p: dict) -> dict:
        # The doc's reference: "the list of call status values you can filter by or set on
        # records", its parameters none and its answer that list. (Its journey line "get_call
        # _status using the logid" gives neither a parameter nor an answer.) So: the list,
        # whatever is sent; a call cannot be looked up here.
        return data_reply(DISPOSITIONS, True)

    def _call_by_record(self, value: Any, field_name: str) -> Call:
        # "Record ID from call_log API or webhook": the recordid, never the placing logid.
        call = self.state.find_record(value)
        if call is None:
            raise BadRequest(f"{field_name} is not a call record on your account")
        return call

    def ep_update_call_note(self, p: dict) -> dict:
        call = self._call_by_record(p["record_id"], "record_id")
        status_id = as_int(p["call_status"], "call_status")
        if status_id not in {d["id"] for d in DISPOSITIONS}:
            raise BadRequest("call_status is not a status ID from get_call_status")
        if str(p["call_type"]) not in NOTE_CALL_TYPES:
            raise BadRequest("call_type must be one of " + ", ".join(NOTE_CALL_TYPES))
        call.disposition_id = status_id
        call.note = str(p.get("call_remark") or "")
        return ok_reply("Call note updated successfully")

    def ep_sync_call_logs(self, p: dict) -> dict:
        # The three ids name three log families; each call sits in exactly one of them so
        # a sync never returns the same call twice.
        last = {k: as_int(p.get(k) or 0, k) for k in ("last_c2c_log_id", "last_call_log_id")}
        last_dialer = as_int(p.get("last_dialer_log_id") or 0, "last_dialer_log_id")
        s = self.state
        c2c = s.ended_calls("c2c", "c2c_two_leg")
        dialer = s.ended_calls("dialer")
        other = [c for c in s.ended_calls() if c not in c2c and c not in dialer]
        return data_reply(
            {
                "c2c_logs": [s.c2c_log_row(c) for c in c2c if c.recordid > last["last_c2c_log_id"]],
                "call_logs": [
                    s.call_log_row(c) for c in other if c.recordid > last["last_call_log_id"]
                ],
                "dialer_logs": [s.dialer_log_row(c) for c in dialer if c.recordid > last_dialer],
            }
        )

    def ep_add_call_note(self, p: dict) -> dict:
        sip = str(p["sip_call_id"])
        call = next((c for c in self.state.calls.values() if c.sip_call_id == sip), None)
        if call is None:
            raise BadRequest("sip_call_id is not a call on your account")
        if present(p, "call_type") and p["call_type"] not in NOTE_CALL_TYPES:
            raise BadRequest("call_type must be one of " + ", ".join(NOTE_CALL_TYPES))
        call.note = str(p["note"])
        self.state.call_notes.append({"sip_call_id": sip, "note": call.note, **p})
        return ok_reply("Call note added successfully")

    # -- AI voice bots -------------------------------------------------------------------
    def _bot(self, value: Any) -> int:
        bot_id = as_int(value, "Voicechat_id")
        if bot_id not in {b["id"] for b in VOICEBOTS}:
            raise BadRequest("Voicechat_id is not a voice bot on your account")
        return bot_id

    def _bot_call(self, p: dict, did_key: str | None, meta: dict) -> dict:
        s = self.state
        did = s.owned_did(p[did_key], did_key) if did_key and present(p, did_key) else None
        call = s.place_call(
            "voicebot",
            did_no=did or next(iter(s.owned)),
            client_no=national_phone(p["customer_no"], "customer_no"),
            start_at=parse_schedule(p.get("schedule_datetime"), p.get("timezone"), self.clock),
            with_dtmf=True,
            meta=meta,
        )
        return {"status": 200, "message": "Call initiated successfully", "logid": call.logid}

    def ep_dial_by_aivoicebot(self, p: dict) -> dict:
        meta: dict[str, Any] = {"text": p.get("text"), "system_msg": p.get("system_msg")}
        if present(p, "Voicechat_id"):
            meta["voicebot_id"] = self._bot(p["Voicechat_id"])
        elif not present(p, "wss_url"):
            raise BadRequest("wss_url is required")  # without a bot id the call needs a bridge
        if present(p, "wss_url"):
            if not str(p["wss_url"]).startswith(("wss://", "ws://")):
                raise BadRequest("wss_url must be a wss:// URL")
            meta["wss_url"] = str(p["wss_url"])
        if present(p, "connect_ws_after_answer"):
            flag(p["connect_ws_after_answer"], "connect_ws_after_answer")
        if present(p, "ai_agent_ext"):
            meta["ai_agent_ext"] = self.state.agent(p["ai_agent_ext"], "ai_agent_ext").ext_no
        return self._bot_call(p, None, meta)

    def ep_dial_by_voicebot(self, p: dict) -> dict:
        meta: dict[str, Any] = {"text": p.get("text"), "system_msg": p.get("system_msg")}
        if present(p, "Voicechat_id"):
            meta["voicebot_id"] = self._bot(p["Voicechat_id"])
        return self._bot_call(p, "did_num", meta)

    # -- webhooks and CRM ----------------------------------------------------------------
    def ep_register_webhook(self, p: dict) -> dict:
        url = str(p["webhookurl"]).strip()
        if not url.startswith(("http://", "https://")):
            raise BadRequest("webhookurl must be an http(s) URL")
        self.webhook_url = url
        self.secret_key = str(p["secret_key"]) if present(p, "secret_key") else None
        return ok_reply("Webhook registered successfully")

    def ep_crm_leads(self, p: dict) -> dict:
        last: dict[str, Call] = {}
        for call in self.state.ended_calls():
            last[call.client_no] = call
        numbers = sorted(set(self.state.contacts) | set(last))
        rows = []
        for number in numbers:
            call = last.get(number)
            rows.append(
                {
                    "name": self.state.contacts.get(number, {}).get("name", ""),
                    "number": number,
                    "last_call_status": call.status if call else None,
                    "last_call_time": ist_text(call.start_at) if call else None,
                }
            )
        return data_reply(rows)


Fake = IVRSolutionsFake
