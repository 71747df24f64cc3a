"""A stand-in for the account guard that records what the HTTP layer tells it.

It implements `telephony.providers.kit.http.Guard` without a database, so adapter tests can
check which requests were sent as call-placing, and that rate-limit headers reach it.
"""

from __future__ import annotations

from collections.abc import Callable


class RecordingGuard:
    def __init__(self) -> None:
        self.acquired: list[bool] = []  # places_call of each request, in order
        self.released = 0
        self.successes = 0
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.rate_limits: list[tuple[int | None, float | None]] = []

    def acquire(self, *, places_call: bool) -> Callable[[], None]:
        self.acquired.append(places_call)
        return self._release

    def _release(self) -> None:
        self.released += 1

    def record_success(self) -> None:
        self.successes += 1

    def record_failure(self, message: str) -> None:
        self.failures.append(message)

    def record_error(self, message: str) -> None:
        self.errors.append(message)

    def note_rate_limit(self, *, remaining: int | None, reset_epoch: float | None) -> None:
        self.rate_limits.append((remaining, reset_epoch))
