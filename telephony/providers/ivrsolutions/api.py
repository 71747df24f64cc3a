"""IVR Solutions: requests by endpoint name, over the shared HttpClient.

The adapter names endpoints ("c2c_post", "get_dialers"); the path and method come from the
one PATHS table at the top of `ivrsolutions.py`. This module adds what every IVR Solutions
answer needs: the Bearer token, its own error shape (`{"status": false, "message": ...}`
with HTTP 200), and messages a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from telephony.providers.errors import AuthenticationFailed, InvalidRequest
from telephony.providers.ivrsolutions.format import LABEL
from telephony.providers.kit.http import HttpClient


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    source: str  # "doc": the doc gives this path; "guess": our evident guess (/api/<name>)


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
        body = self.http.once_json(response, what=what)
        if not isinstance(body, dict):
            raise self.http.ambiguous(f"answered {what} with JSON that is not an object")
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
        body = self.http.json(response)
        if not isinstance(body, dict):
            raise self.http.bad_response(f"answered {what} with JSON that is not an object")
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
