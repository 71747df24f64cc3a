"""A small framework for stateful HTTP fakes of telephony providers.

Each provider fake subclasses `FakeProviderServer`, registers routes written from the
provider's public doc, and keeps its own state. The server is a real HTTP server on
127.0.0.1 (an ephemeral port), so adapters are tested over real sockets, never by mocking
`requests`. Faults are injected per request (timeouts, 429, 500, garbage bodies), time is
controllable so calls can be "played forward", and webhooks are POSTed back to a URL the
test gives.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON; raises `BadRequest` on malformed JSON."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise BadRequest(f"malformed JSON: {exc}") from exc

    def form(self) -> dict[str, str]:
        """Form fields from an urlencoded or multipart body, or JSON, whichever was sent."""
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            data = self.json()
            return dict(data) if isinstance(data, dict) else {}
        if ctype.startswith("multipart/form-data"):
            return _parse_multipart(self.body, ctype)
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes -> raw
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class BadRequest(Exception):
    """Raised by a handler to answer 400 with the provider's error shape."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Fault:
    # "timeout" | "429" | "500" | "503" | "garbage" | "truncated": the request is not
    # carried out. "acted_garbage" | "acted_body": it IS carried out (the call rings, the
    # DID is bought), then the answer is an HTML page, or `body` (e.g. a success without
    # the id): the shapes that make a side-effect request's outcome unknown.
    # "canned": `body` is answered instead of running the route (a doc example verbatim).
    kind: str
    remaining: int = 1
    path_contains: str | None = None
    retry_after: int | None = None
    body: Any = None
    status: int = 200


Handler = Callable[[FakeRequest], FakeResponse | dict | list]


class FakeProviderServer:
    """Base class: routing, auth hook, faults, clock, request log and webhook sending."""

    name = "fake"
    #: seconds a "timeout" fault holds the request before answering (past any client timeout)
    timeout_hold = 3.0

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.requests: list[FakeRequest] = []
        self.clock = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
        self.webhook_url: str | None = None
        self.webhooks_sent: list[tuple[dict, requests.Response | None]] = []
        self.register_routes()

    # -- to override -------------------------------------------------------------
    def register_routes(self) -> None:
        """Subclasses add their routes with `self.add_route`."""

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """Return an error response when the request's credentials are wrong, else None."""
        return None

    def error_response(self, status: int, message: str) -> FakeResponse:
        """The provider's documented error shape."""
        return FakeResponse(status=status, body={"error": message})

    # -- routing -----------------------------------------------------------------
    def add_route(self, method: str, pattern: str, handler: Handler) -> None:
        """`pattern` is a path with `{name}` placeholders, e.g. `/calls/{call_id}`."""
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern.rstrip("/")) + "/?$"
        self._routes.append((method.upper(), re.compile(regex), handler))

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> FakeProviderServer:
        """Serve on an ephemeral 127.0.0.1 port in a daemon thread (test fixtures)."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Standalone mode: block serving on host:port (used by `python -m tests.fakes`)."""
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.serve_forever()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output quiet; requests are recorded in server.requests

            def _handle(self) -> None:
                server._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        return _Handler

    # -- faults and time -----------------------------------------------------------
    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        path_contains: str | None = None,
        retry_after: int | None = None,
        body: Any = None,
        status: int = 200,
    ) -> None:
        """Make the next `count` matching requests fail with `kind` (see `Fault`)."""
        with self._lock:
            self._faults.append(Fault(kind, count, path_contains, retry_after, body, status))

    def canned(self, path_contains: str, body: Any, *, status: int = 200, count: int = 1) -> None:
        """Answer the next `count` requests whose path contains `path_contains` with `body`
        (bytes verbatim, e.g. a doc's example answer; or a dict/list as JSON)."""
        self.inject("canned", count=count, path_contains=path_contains, body=body, status=status)

    def requests_to(self, path_contains: str) -> list[FakeRequest]:
        """The requests received whose path contains `path_contains` (counting sends)."""
        with self._lock:
            return [r for r in self.requests if path_contains in r.path]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward; subclasses play their calls forward in `on_tick`."""
        with self._lock:
            self.clock += timedelta(seconds=seconds)
            self.on_tick()

    def on_tick(self) -> None:
        """Subclasses advance call lives to `self.clock` here."""

    # -- webhooks ------------------------------------------------------------------
    def send_webhook(
        self, payload: dict, *, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> requests.Response | None:
        """POST an event to `self.webhook_url` (if set). Returns the response."""
        if not self.webhook_url:
            self.webhooks_sent.append((payload, None))
            return None
        body = raw if raw is not None else json.dumps(payload).encode()
        # Connection: close — a live test server otherwise keeps one thread (and, on
        # PostgreSQL, one connection) per webhook open until the test ends.
        hdrs = {"Content-Type": "application/json", "Connection": "close", **(headers or {})}
        resp = requests.post(self.webhook_url, data=body, headers=hdrs, timeout=5)
        self.webhooks_sent.append((payload, resp))
        return resp

    # -- internals -----------------------------------------------------------------
    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_contains and fault.path_contains not in path:
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _dispatch(self, http: BaseHTTPRequestHandler) -> None:
        split = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        request = FakeRequest(
            method=http.command,
            path=split.path,
            query=query,
            headers={k.lower(): v for k, v in http.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        response = self._respond(request)
        if response is None:  # a timeout fault: hold, then drop the connection
            self._stopping.wait(self.timeout_hold)
            http.close_connection = True
            return
        self._write(http, response)

    def _respond(self, request: FakeRequest) -> FakeResponse | None:
        fault = self._take_fault(request.path)
        if fault and fault.kind == "timeout":
            return None
        refused = self._fault_instead(fault) if fault else None
        if refused is not None:
            return refused
        response, ran = self._handle(request)
        # "acted_*" faults spoil the answer only of a request the handler carried out.
        if ran and fault and fault.kind == "acted_garbage":
            return _garbage()
        if ran and fault and fault.kind == "acted_body":
            return _canned(fault)
        return response

    def _fault_instead(self, fault: Fault) -> FakeResponse | None:
        """The answer a fault gives before routing (None: the route runs)."""
        if fault.kind == "429":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            resp = self.error_response(429, "Too many requests")
            resp.headers.update(headers)
            return resp
        if fault.kind in ("500", "503"):
            return self.error_response(int(fault.kind), "Internal server error")
        if fault.kind == "garbage":
            return _garbage()
        if fault.kind == "truncated":
            return FakeResponse(200, b'{"status": 200, "data": [')
        if fault.kind == "canned":
            return _canned(fault)
        return None

    def _handle(self, request: FakeRequest) -> tuple[FakeResponse, bool]:
        """Route, authenticate and run the handler; True when the handler ran to its end."""
        handler, params = self._match(request)
        if handler is None:
            return self.error_response(404, f"No route for {request.method} {request.path}"), False
        request.path_params = params
        denied = self.authenticate(request)
        if denied is not None:
            return denied, False
        try:
            with self._lock:
                result = handler(request)
        except BadRequest as exc:
            return self.error_response(exc.status, exc.message), False
        if isinstance(result, FakeResponse):
            return result, True
        return FakeResponse(200, result), True

    def _match(self, request: FakeRequest) -> tuple[Handler | None, dict[str, str]]:
        for method, regex, handler in self._routes:
            m = regex.match(request.path)
            if m and method == request.method:
                return handler, m.groupdict()
        return None, {}

    @staticmethod
    def _write(http: BaseHTTPRequestHandler, response: FakeResponse) -> None:
        if isinstance(response.body, bytes | bytearray):
            payload = bytes(response.body)
        elif response.body is None:
            payload = b""
        else:
            payload = json.dumps(response.body).encode()
        http.send_response(response.status)
        http.send_header("Content-Type", response.content_type)
        http.send_header("Content-Length", str(len(payload)))
        for key, value in response.headers.items():
            http.send_header(key, value)
        http.end_headers()
        http.wfile.write(payload)


def _garbage() -> FakeResponse:
    return FakeResponse(200, b"<html>502 Bad Gateway</html>", content_type="text/html")


def _canned(fault: Fault) -> FakeResponse:
    body = fault.body
    if isinstance(body, str):
        body = body.encode()
    is_json = not isinstance(body, bytes) or body.lstrip()[:1] in (b"{", b"[")
    return FakeResponse(
        fault.status, body, content_type="application/json" if is_json else "text/plain"
    )


def _parse_multipart(body: bytes, ctype: str) -> dict[str, str]:
    """Tiny multipart/form-data parser for text fields (what `requests` sends with files=)."""
    match = re.search(r"boundary=(?P<b>[^;]+)", ctype)
    if not match:
        raise BadRequest("multipart body without boundary")
    boundary = b"--" + match.group("b").strip('"').encode()
    fields: dict[str, str] = {}
    for part in body.split(boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            fields[name.group(1).decode()] = value.rstrip(b"\r\n").decode("utf-8", "replace")
    return fields


class Turns:
    """Seeded alternation between the shapes a doc leaves open, per aspect: each aspect
    ("campaign:id_key", "call:numeric") takes its options in turn, starting at the seed,
    so a test suite sees every shape and a seed replays the same sequence."""

    def __init__(self, seed: int) -> None:
        self._turns: dict[str, int] = {}
        self._seed = seed

    def pick(self, aspect: str, options: Sequence[Any]) -> Any:
        turn = self._turns.get(aspect, self._seed)
        self._turns[aspect] = turn + 1
        return options[turn % len(options)]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> bool:
    """Poll `predicate` until true or `timeout` seconds pass (for asynchronous webhooks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
