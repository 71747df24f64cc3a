"""Stateful HTTP fake of IVR Solutions, written from /work/shared/providers/ivrsolutions.txt.

The doc's endpoint reference lost most of its headings, so it names a handful of paths
(`/api/c2c_post`, `/api/call_logs`, `/ivrappv2/buy_did`, ...) and only describes the rest.
`PATHS` lists all 64 described endpoints with the path the fake serves and whether the doc
gives that path ("doc") or it is our evident guess ("guess": `/api/<name>`). The adapter
imports the same table so the two never drift apart.

Methods: the doc gives GET for `call_logs` and both GET and POST for `c2c_post`. For the
others, endpoints the doc shows with a JSON request body are POST; endpoints that take
nothing or only query parameters are GET.

Webhook signing is our decision, written down beside PATHS (in `ivrsolutions_paths`). What
the fake varies where the doc is silent (id spaces and types, optional fields, signature
forms, refusal shapes) is in `ivrsolutions_shapes`.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable
from typing import Any

import requests

from tests.fakes.base import BadRequest, FakeProviderServer, FakeRequest, FakeResponse, Fault
from tests.fakes.ivrsolutions_dialers import OutboundEndpoints
from tests.fakes.ivrsolutions_logs import LogEndpoints
from tests.fakes.ivrsolutions_paths import PATHS, Endpoint
from tests.fakes.ivrsolutions_shapes import refusal_in_http_200, sign, signature_form
from tests.fakes.ivrsolutions_state import (  # noqa: F401 - the fake's API
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


class IVRSolutionsFake(OutboundEndpoints, LogEndpoints, FakeProviderServer):
    """IVR Solutions over real HTTP on 127.0.0.1. The call-placing endpoints and dialers
    (ivrsolutions_dialers) and the logs (ivrsolutions_logs) are mixins; the account's
    bookkeeping is answered by `state` (ivrsolutions_state)."""

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
