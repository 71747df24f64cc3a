"""The HTTP layer every adapter uses: timeouts, retries, rate limits and a circuit breaker.

- Every request has a connect and a read timeout.
- Reads are retried on connection errors, 429 and 5xx with jittered exponential backoff,
  honouring `Retry-After`, bounded in attempts and in total time.
- A request with a side effect (places a call, pushes numbers, buys a DID, creates a
  campaign) goes through `once`: never retried. If it may have reached the provider (read
  timeout, dropped connection, 5xx), or its 2xx answer is unreadable or lacks the id we
  need (`once_json`, `confirmed_id`), it raises `AmbiguousOutcome`: the row is `unknown`
  and the reconciler (or an admin) settles it. A connect failure is a plain error: nothing
  was sent.
- Before each request the account's guard (rate limiter, concurrency cap, circuit
  breaker, shared across processes) is asked for a slot; results are reported back to it.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests

from telephony.providers.errors import (
    AmbiguousOutcome,
    AuthenticationFailed,
    InvalidRequest,
    ProviderError,
    RateLimited,
)
from telephony.providers.kit.urlcheck import base_origin, canonical_origin
from telephony.providers.types import AccountConfig

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Guard(Protocol):
    """What the HTTP layer needs from the account guard (telephony.services.guard.AccountGuard)."""

    def acquire(self, *, places_call: bool) -> Callable[[], None]:
        """Wait for a slot or raise RateLimited/ProviderUnavailable; returns a release."""

    def record_success(self) -> None: ...

    def record_failure(self, message: str) -> None: ...

    def record_error(self, message: str) -> None:
        """A bad answer (not JSON, a missing field): counted, but not a breaker failure."""

    def note_rate_limit(self, *, remaining: int | None, reset_epoch: float | None) -> None: ...


_sessions: dict[tuple[int, str], requests.Session] = {}
_sessions_lock = threading.Lock()


def session_for(config: AccountConfig) -> requests.Session:
    """One pooled session per account (and base URL) per process."""
    key = (config.account_id, config.base_url)
    with _sessions_lock:
        if key not in _sessions:
            _sessions[key] = requests.Session()
        return _sessions[key]


class HttpClient:
    """Requests to one provider account. `label` names the provider in error messages."""

    def __init__(
        self,
        config: AccountConfig,
        *,
        label: str,
        base_url: str,
        auth_headers: Mapping[str, str] | None = None,
        max_attempts: int = 4,
        max_total_seconds: float = 30.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.config = config
        self.label = label
        self.base_url = (config.base_url or base_url).rstrip("/")
        self.auth_headers = dict(auth_headers or {})
        self.max_attempts = max_attempts
        self.max_total_seconds = max_total_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.session = session_for(config)

    # -- public API ----------------------------------------------------------------------
    def read(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A request without side effects (or an idempotent one): retried on failure."""
        deadline = time.monotonic() + self.max_total_seconds
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, places_call=False, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                wait = self._backoff(attempt)
                if attempt >= self.max_attempts or time.monotonic() + wait > deadline:
                    raise ProviderError(
                        f"{self.label} did not answer ({_describe(exc)}) after {attempt} tries."
                    ) from exc
                self.sleep(wait)
                continue
            if response.status_code in RETRY_STATUSES:
                wait = max(_retry_after(response) or 0, self._backoff(attempt))
                if attempt >= self.max_attempts or time.monotonic() + wait > deadline:
                    self._raise_for(response)
                logger.info("%s %s %s: retrying in %.1fs", self.label, method, path, wait)
                self.sleep(wait)
                continue
            self._raise_for(response)
            return response

    def place(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A request that places a call: sent once, never retried."""
        return self.once(method, path, what="placing the call", **kwargs)

    def once(self, method: str, path: str, *, what: str, **kwargs: Any) -> requests.Response:
        """A request with a side effect (places a call, pushes numbers, buys a DID, creates
        a campaign): sent once, never retried. `what` names it in messages ("buying the
        DID"). Where it may have reached the provider (read timeout, dropped connection,
        5xx) it raises `AmbiguousOutcome`; a connect failure is a plain error (nothing was
        sent). Read its answer with `once_json` and `confirmed_id`, which turn an
        unreadable 2xx into `AmbiguousOutcome` too.
        """
        not_sent = f"{self.label} could not be reached; nothing was sent ({what})."
        checked = "it will be checked against the provider before anything is sent again."
        try:
            response = self._send(method, path, places_call=True, **kwargs)
        except requests.ConnectTimeout as exc:
            raise ProviderError(not_sent) from exc
        except requests.ConnectionError as exc:
            if _never_sent(exc):
                raise ProviderError(not_sent) from exc
            raise AmbiguousOutcome(
                f"{self.label} dropped the connection while {what}; {checked}"
            ) from exc
        except requests.Timeout as exc:
            raise AmbiguousOutcome(
                f"{self.label} did not answer within {self.config.read_timeout:g} s while "
                f"{what}; {checked}"
            ) from exc
        if response.status_code >= 500:
            raise AmbiguousOutcome(
                f"{self.label} answered HTTP {response.status_code} while {what}; {checked}"
            )
        self._raise_for(response)
        return response

    def once_json(self, response: requests.Response, *, what: str) -> Any:
        """The JSON answer to a side-effect request; unreadable = `AmbiguousOutcome`.

        A 2xx we cannot read may still mean the provider acted (the call rings, the DID is
        bought), so it is never reported as a refusal that invites a second attempt.
        """
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise self.ambiguous(
                f"answered {what} with HTTP {response.status_code} but a body that is not "
                f"JSON ({len(response.content)} bytes)"
            ) from exc

    def once_object(
        self, response: requests.Response, *, what: str, empty_ok: bool = False
    ) -> dict[str, Any]:
        """A side-effect answer that must be a JSON object; anything else (unreadable, a
        list, a bare value) is `AmbiguousOutcome`, never a refusal. `empty_ok`: an empty
        2xx body is an answer without fields (`{}`)."""
        if empty_ok and not response.content.strip():
            return {}
        body = self.once_json(response, what=what)
        if not isinstance(body, dict):
            raise self.ambiguous(f"answered {what} with JSON that is not an object")
        return body

    def confirmed_id(self, body: Any, keys: tuple[str, ...], *, what: str) -> str:
        """The id a side-effect answer must carry (first of `keys`, also under `data`), as
        text whether the provider sends a number or a string; none = `AmbiguousOutcome`."""
        found = first_id(body, *keys)
        if found is None:
            raise self.ambiguous(f"answered {what} without {' or '.join(f'`{k}`' for k in keys)}")
        return found

    def ambiguous(self, problem: str) -> AmbiguousOutcome:
        """Count and log a side-effect answer we cannot read; returns the error to raise."""
        message = (
            f"{self.label} {problem}. It may have acted on the request: it is marked "
            "unknown and checked against the provider before anything is sent again."
        )
        logger.warning("account %s: %s", self.config.account_id, message)
        if self.config.guard:
            self.config.guard.record_error(message)
        return AmbiguousOutcome(message)

    def json(self, response: requests.Response) -> Any:
        """The body as JSON, or a counted ProviderError a person can act on."""
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise self.bad_response(
                f"returned a response that is not JSON "
                f"(HTTP {response.status_code}, {len(response.content)} bytes)"
            ) from exc

    def json_object(self, response: requests.Response, *, what: str = "") -> dict[str, Any]:
        """A read's answer that must be a JSON object; anything else is a counted
        ProviderError (`what` names the answer in the message, when given)."""
        body = self.json(response)
        if not isinstance(body, dict):
            said = f"answered {what} with" if what else "returned"
            raise self.bad_response(f"{said} JSON that is not an object")
        return body

    def bad_response(self, problem: str) -> ProviderError:
        """Count and log an answer we cannot use; returns the error for the caller to raise."""
        message = f"{self.label} {problem}."
        logger.warning("account %s: %s", self.config.account_id, message)
        if self.config.guard:
            self.config.guard.record_error(message)
        return ProviderError(message)

    # -- internals -------------------------------------------------------------------------
    def _send(self, method: str, path: str, *, places_call: bool, **kwargs: Any):
        url, credentialed = self._target(path)
        guard = self.config.guard
        release = guard.acquire(places_call=places_call) if guard else None
        auth = self.auth_headers if credentialed else {}
        headers = {**auth, **kwargs.pop("headers", {})}
        # Never follow a redirect: it could take us, with our API key header, to any host
        # (cloud metadata, the internal network) past the recording-host check (SSRF).
        kwargs.setdefault("allow_redirects", False)
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                **kwargs,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            if guard:
                guard.record_failure(f"{self.label}: {_describe(exc)}")
            raise
        finally:
            if release:
                release()
        if guard:
            if response.status_code >= 500:
                guard.record_failure(f"{self.label} answered HTTP {response.status_code}")
            else:
                guard.record_success()
            guard.note_rate_limit(**_rate_headers(response))
        return response

    def _target(self, path: str) -> tuple[str, bool]:
        """The URL to request, and whether our credentials may ride along.

        A path is joined to the account's base URL. A full URL (a recording named by a
        webhook or a log) is sent only in canonical form (see urlcheck), and with our
        credentials only when its scheme, host and port are exactly the base URL's: any
        other allowed host gets no token.
        """
        if not path.lower().startswith("http"):
            return f"{self.base_url}{path}", True
        origin = canonical_origin(path)
        if origin is None:
            raise InvalidRequest(
                f"{path[:120]!r} is not a canonical http(s) URL; not fetched.", permanent=True
            )
        return path, origin == base_origin(self.base_url)

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads retries of many workers instead of synchronising them.
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _raise_for(self, response: requests.Response) -> None:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")[:120]
            raise ProviderError(
                f"{self.label} redirected the request to {location or 'another URL'}; "
                "redirects are not followed.",
                permanent=True,
                status=status,
            )
        if status < 400:
            return
        detail = _error_detail(response)
        if status in (401, 403):
            raise AuthenticationFailed(
                f"{self.label} rejected the API key ({detail or f'HTTP {status}'}).",
                status=status,
            )
        if status == 429:
            raise RateLimited(
                f"{self.label} is rate limiting us (HTTP 429).",
                retry_after=_retry_after(response),
            )
        if 400 <= status < 500:
            raise InvalidRequest(
                f"{self.label} refused the request: {detail or f'HTTP {status}'}", status=status
            )
        raise ProviderError(
            f"{self.label} failed with HTTP {status}{': ' + detail if detail else ''}.",
            status=status,
        )


def first_id(body: Any, *keys: str) -> str | None:
    """The first present id among `keys`, at the top of an object or under its `data`
    object, as text: providers send ids as numbers or strings, and the doc rarely says
    which. A bool, an empty string or a nested object is no id."""
    for scope in (body, body.get("data") if isinstance(body, dict) else None):
        if not isinstance(scope, dict):
            continue
        for key in keys:
            value = scope.get(key)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, int | float | str) and str(value).strip():
                return str(value).strip()
    return None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(parsed.timestamp() - time.time(), 0.0) if parsed else None


def _rate_headers(response: requests.Response) -> dict[str, Any]:
    def _num(name: str) -> float | None:
        try:
            return float(response.headers[name])
        except (KeyError, ValueError):
            return None

    remaining = _num("X-RateLimit-Remaining")
    return {
        "remaining": int(remaining) if remaining is not None else None,
        "reset_epoch": _num("X-RateLimit-Reset"),
    }


def _error_detail(response: requests.Response) -> str:
    """The provider's own message, whatever its error shape, shortened."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "msg", "errors"):
            if body.get(key):
                return str(body[key])[:200]
    return ""


def _never_sent(exc: requests.ConnectionError) -> bool:
    """Connection refused / DNS failure: the request never left; safe to say not placed."""
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "NameResolution"))


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return "connection failed"
