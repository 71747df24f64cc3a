"""The one error hierarchy every adapter raises (see base.py)."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider request failed. `permanent` means retrying can never succeed."""

    permanent = False

    def __init__(self, message: str, *, permanent: bool | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        if permanent is not None:
            self.permanent = permanent


class AuthenticationFailed(ProviderError):
    permanent = True


class InvalidRequest(ProviderError):
    """We would send, or sent, something the provider refuses (bad number, limit exceeded)."""

    permanent = True


class CapabilityMissing(ProviderError):
    permanent = True


class RateLimited(ProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The circuit breaker is open, or the provider keeps failing."""


class AmbiguousOutcome(ProviderError):
    """A call-placing request whose result is unknown (timeout, dropped connection).

    The call may or may not exist at the provider: it is marked `unknown` and only the
    reconciler, asking the provider's details or logs, decides. Never redial on this.
    """


class WebhookRejected(Exception):
    """An inbound webhook failed verification or parsing. `status` is the HTTP answer."""

    def __init__(self, reason: str, *, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status
