"""IVR Solutions: its endpoints, and requests by endpoint name over the shared HttpClient.

The doc lists 64 endpoints but gives few paths. PATHS below is every endpoint this adapter
calls: "doc" where the doc gives the path, "guess" where we took the evident `/api/<name>`
(the same table as the HTTP fake's), so a real account corrects them in this one place.
Methods follow the doc: GET for endpoints that take nothing or query parameters, POST
(JSON) for the ones the doc shows with a request body.

The adapter names endpoints ("c2c_post", "get_dialers"); IVRApi adds what every IVR
Solutions answer needs: the Bearer token, its own error shape (`{"status": false,
"message": ...}` with HTTP 200), and messages a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import requests

from telephony.providers.errors import AuthenticationFailed, InvalidRequest
from telephony.providers.ivrsolutions.format import LABEL
from telephony.providers.kit.http import HttpClient
from telephony.providers.kit.routes import Route

DEFAULT_BASE_URL = "https://api.ivrsolutions.in"

PATHS: dict[str, Route] = {
    # Click-to-call and number masking
    "c2c_post": Route("POST", "/api/c2c_post", "doc"),
    "click_connect": Route("POST", "/api/click_connect", "guess"),
    "click_connect_update": Route("POST", "/api/click_connect_update", "doc"),
    "click_connect_logs": Route("POST", "/api/click_connect_logs", "doc"),
    # Outbound: flows, text calls, dialers
    "get_call_flows": Route("GET", "/api/get_call_flows", "guess"),
    "dial_by_flow": Route("POST", "/api/dial_by_flow", "guess"),
    "dial_by_text": Route("POST", "/api/dial_by_text", "doc"),
    "get_dialers": Route("GET", "/api/get_dialers", "guess"),
    "add_to_ivrdialerbulk": Route("POST", "/api/add_to_ivrdialerbulk", "doc"),
    "change_dialer_status": Route("POST", "/api/change_dialer_status", "doc"),
    "create_text_dialer": Route("POST", "/api/create_text_dialer", "doc"),
    # Agents and extensions
    "change_agent_status": Route("POST", "/api/change_agent_status", "guess"),
    "add_agent": Route("POST", "/api/add_agent", "guess"),
    "update_agent_did": Route("POST", "/api/update_agent_did", "guess"),
    "get_agents": Route("GET", "/api/get_agents", "guess"),
    "set_extension_expiry": Route("POST", "/api/set_extension_expiry", "guess"),
    # Call logs, status and notes
    "call_logs": Route("GET", "/api/call_logs", "doc"),
    "dialer_logs": Route("POST", "/api/dialer_logs", "doc"),
    # The list of status IDs update_call_note takes (the doc's answer); not a call lookup.
    "get_call_status": Route("GET", "/api/get_call_status", "doc"),
    "update_call_note": Route("POST", "/api/update_call_note", "guess"),
    # DID numbers
    "get_did_list": Route("GET", "/api/get_did_list", "guess"),
    "get_did_regions": Route("GET", "/api/get_did_regions", "guess"),
    "search_did": Route("POST", "/api/search_did", "guess"),
    "buy_did": Route("POST", "/ivrappv2/buy_did", "doc"),
    # AI voice bots
    "get_voicebots": Route("GET", "/api/get_voicebots", "guess"),
    "dial_by_aivoicebot": Route("POST", "/api/dial_by_aivoicebot", "doc"),
    "dial_by_voicebot": Route("POST", "/api/dial_by_voicebot", "guess"),
    # Text-to-speech templates
    "create_text_template": Route("POST", "/api/create_text_template", "guess"),
    "text_template_status": Route("POST", "/api/text_template_status", "guess"),
    "get_text_templates": Route("GET", "/api/get_text_templates", "guess"),
    # Webhooks
    "register_webhook": Route("POST", "/api/register_webhook", "guess"),
}


class IVRApi:
    def __init__(self, http: HttpClient, routes: Mapping[str, Route], token: str):
        self.http = http
        self.routes = routes
        self.token = token

    def read(
        self,
        name: str,
        what: str,
        data: Mapping[str, Any] | None = None,
        *,
        refusal_ok: bool = False,
    ) -> dict:
        """A read or an idempotent write: retried by HttpClient on 429/5xx/timeouts.

        `refusal_ok` returns a `"status": false` answer instead of raising (a search that
        found nothing answers that way).
        """
        route, kwargs = self._prepare(name, data)
        with _token_errors():
            response = self.http.read(route.method, route.path, **kwargs)
        return self._body(response, what, refusal_ok=refusal_ok)

    def once(self, name: str, what: str, data: Mapping[str, Any] | None = None) -> dict:
        """A request with a side effect (places a call, buys, adds, creates): sent once.

        `what` names it in messages ("the click-to-call"). IVR Solutions refuses inside
        HTTP 200 (`{"status": false, "message": ...}`): a clear refusal is InvalidRequest.
        A 2xx that is unreadable, or neither a clear success nor a clear refusal, may
        still have acted (the customer may be ringing): AmbiguousOutcome, never a refusal.
        """
        route, kwargs = self._prepare(name, data)
        with _token_errors():
            response = self.http.once(route.method, route.path, what=f"sending {what}", **kwargs)
        body = self.http.once_object(response, what=what)
        outcome = _outcome(body.get("status"))
        if outcome == "refused":
            raise InvalidRequest(f"{LABEL} refused {what}: {_message(body)}")
        if outcome is None:
            raise self.http.ambiguous(
                f"answered {what} with neither a success nor a refusal "
                f"(status {body.get('status')!r})"
            )
        return body

    def confirmed(self, body: Mapping[str, Any], keys: tuple[str, ...], what: str) -> str:
        """The id a side-effect answer must carry, as text; missing = AmbiguousOutcome."""
        return self.http.confirmed_id(body, keys, what=what)

    def field(self, body: Mapping[str, Any], key: str, what: str) -> Any:
        value = body.get(key)
        if value in (None, ""):
            raise self.http.bad_response(f"answered {what} without `{key}`")
        return value

    def rows(self, body: Mapping[str, Any], what: str, key: str = "data") -> list[dict]:
        value = body.get(key)
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise self.http.bad_response(f"answered {what} without a list of rows in `{key}`")
        return value

    # -- internals ---------------------------------------------------------------------------
    def _prepare(self, name: str, data: Mapping[str, Any] | None) -> tuple[Route, dict]:
        if not self.token:
            raise AuthenticationFailed(
                f"{LABEL} needs an API token: add `api_token` to this account's credentials "
                "(IVR Solutions portal: Settings → API token)."
            )
        route = self.routes[name]
        fields = {k: v for k, v in (data or {}).items() if v not in (None, "")}
        key = "params" if route.method == "GET" else "json"
        return route, {key: fields}

    def _body(self, response: requests.Response, what: str, *, refusal_ok: bool = False) -> dict:
        body = self.http.json_object(response, what=what)
        # Errors come back with HTTP 200 too: {"status": false, "message": "..."}.
        if _outcome(body.get("status")) == "refused" and not refusal_ok:
            raise InvalidRequest(f"{LABEL} refused {what}: {_message(body)}")
        return body


def _outcome(status: Any) -> str | None:
    """ "ok", "refused" or None (cannot tell) for a side-effect answer's `status`.

    The doc shows `200` (calls) and `true` (everything else) for success and never shows
    a refusal; `false` and HTTP-style codes >= 400 are the shapes its siblings use. The
    type is not documented, so "200" and "true" as text count too.
    """
    if isinstance(status, bool):
        return "ok" if status else "refused"
    text = str(status).strip().lower() if isinstance(status, int | float | str) else ""
    if text in ("true", "success", "ok"):
        return "ok"
    if text in ("false", "error", "failed", "failure", "fail"):
        return "refused"
    try:
        code = float(text)
    except ValueError:
        return None
    if 200 <= code < 300:
        return "ok"
    return "refused" if code >= 400 else None


def _message(body: Mapping[str, Any]) -> str:
    return str(body.get("message") or body.get("error") or "no reason given")[:200]


@contextmanager
def _token_errors() -> Iterator[None]:
    """HttpClient's generic 401/403 wording -> the one IVR Solutions users know."""
    try:
        yield
    except AuthenticationFailed as exc:
        raise AuthenticationFailed(
            f"{LABEL} rejected the API token; check it in the IVR Solutions portal "
            "(Settings → API token) and update this account.",
            status=exc.status,
        ) from exc
