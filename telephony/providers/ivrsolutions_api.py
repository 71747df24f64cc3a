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

from telephony.providers.errors import (
    AmbiguousOutcome,
    AuthenticationFailed,
    InvalidRequest,
    ProviderError,
)
from telephony.providers.http import HttpClient
from telephony.providers.ivrsolutions_format import LABEL


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

    def once(
        self,
        name: str,
        what: str,
        data: Mapping[str, Any] | None = None,
        *,
        unconfirmed: str = "",
    ) -> dict:
        """A request that must not run twice (places a call, buys, adds): sent once.

        `unconfirmed` replaces HttpClient's call-placing wording when the request is not a
        call (a purchase, a bulk add), so the person reads what actually may have happened.
        """
        route, kwargs = self._prepare(name, data)
        try:
            with _token_errors():
                response = self.http.place(route.method, route.path, **kwargs)
        except AmbiguousOutcome as exc:
            if unconfirmed:
                raise AmbiguousOutcome(f"{LABEL} did not confirm {unconfirmed}.") from exc
            raise
        except ProviderError as exc:
            if unconfirmed and isinstance(exc.__cause__, requests.ConnectionError):
                raise ProviderError(f"{LABEL} could not be reached; nothing was sent.") from exc
            raise
        return self._body(response, what)

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
        status = body.get("status")
        # Errors come back with HTTP 200 too: {"status": false, "message": "..."}.
        refused = status is False or (type(status) is int and status >= 400)
        if refused and not refusal_ok:
            message = str(body.get("message") or body.get("error") or "no reason given")
            raise InvalidRequest(f"{LABEL} refused {what}: {message[:200]}")
        return body


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
