"""A CallKaro fake that fails a share of its requests at random (seeded): timeouts, 429
with Retry-After and 500, as a provider on a bad day does.

Timeouts come in both kinds a client cannot tell apart: the request never reached the
provider, or the provider placed the call and the answer was lost. Every placing request
is counted by our reference (`metadata.callcenter_reference`, one Call row = one attempt)
before any fault is applied, so the test counts what the provider received.
"""

from __future__ import annotations

import json
import random
import threading

from telephony.providers.callkaro.adapter import REFERENCE_KEY
from tests.fakes.base import FakeRequest, FakeResponse
from tests.fakes.callkaro import PATHS, CallKaroFake

OUTBOUND = PATHS["outbound_call"][1]


class FlakyCallKaro(CallKaroFake):
    # Held past the client's read timeout, then the connection is dropped.
    timeout_hold = 0.4

    def __init__(self, *, failure_rate: float = 0.3, seed: int = 11, **kwargs) -> None:
        super().__init__(**kwargs)
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.rng_lock = threading.Lock()
        self.received: list[str] = []  # our reference of every placing request, in order
        self.faults: dict[str, int] = {}

    def _respond(self, request: FakeRequest) -> FakeResponse | None:
        if request.path.rstrip("/") != OUTBOUND:
            return super()._respond(request)
        with self.rng_lock:
            self.received.append(_reference(request))
            roll = self.rng.random() / self.failure_rate  # < 1: this request fails
            kind = "ok" if roll >= 1 else ("timeout", "lost", "429", "500")[int(roll * 4) % 4]
            self.faults[kind] = self.faults.get(kind, 0) + 1
        if kind == "timeout":
            return None  # never reached the provider
        if kind == "lost":
            super()._respond(request)  # the provider places the call; its answer is lost
            return None
        if kind == "429":
            response = self.error_response(429, "Too many requests")
            response.headers["Retry-After"] = "1"
            return response
        if kind == "500":
            return self.error_response(500, "Server error")
        return super()._respond(request)

    def send_webhook(self, payload: dict, *, headers=None, raw=None):
        # One connection per webhook, closed by the server after its answer: the live
        # server otherwise keeps each request thread (and its database connection) alive
        # waiting on keep-alive, and a thousand of them exhaust PostgreSQL's connections.
        return super().send_webhook(
            payload, headers={**(headers or {}), "Connection": "close"}, raw=raw
        )

    def placed_references(self) -> list[str]:
        """Our reference of every call the provider actually placed."""
        with self._lock:
            return [str(c.metadata.get(REFERENCE_KEY, "")) for c in self.calls.values()]


def _reference(request: FakeRequest) -> str:
    try:
        return str((json.loads(request.body).get("metadata") or {}).get(REFERENCE_KEY, ""))
    except (ValueError, AttributeError):
        return ""
