"""The account guard: rate limits, a concurrency cap and a circuit breaker per account.

State lives in the database (RateCounter, Lease, ProviderAccount's breaker fields), so the
limits hold across every web and worker process. The HTTP layer asks `acquire` before each
request and reports each result.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from callcenter.services.leases import lease_acquire, lease_release
from callcenter.services.ratelimit import counter_take
from telephony.models import ProviderAccount
from telephony.providers.errors import ProviderUnavailable, RateLimited

logger = logging.getLogger(__name__)

BREAKER_THRESHOLD = 5  # consecutive failures that open the breaker
BREAKER_COOLDOWN = 30.0  # seconds open before one probe is let through
SLOT_TTL = 120.0  # a crashed holder's concurrency slot frees itself after this


class AccountGuard:
    def __init__(
        self,
        account: ProviderAccount,
        *,
        label: str,
        max_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ):
        self.account_id = account.pk
        self.label = label
        self.cps = account.calls_per_second
        self.rpm = account.requests_per_minute
        self.concurrency = max(account.concurrency_limit, 1)
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock

    # -- acquire ----------------------------------------------------------------------------
    def acquire(self, *, places_call: bool) -> Callable[[], None]:
        self._check_breaker()
        deadline = self.clock() + self.max_wait
        self._wait_for_provider_window(deadline)
        if places_call and self.cps > 0:
            # Fractional CPS (0.5 = one call every 2 s) becomes a longer window.
            window = max(1.0, 1.0 / self.cps)
            self._take(
                "cps", limit=max(1, math.floor(self.cps * window)), window=window, deadline=deadline
            )
        if self.rpm > 0:
            self._take("rpm", limit=self.rpm, window=60.0, deadline=deadline)
        return self._slot(deadline)

    def _take(self, what: str, *, limit: int, window: float, deadline: float) -> None:
        name = f"acct:{self.account_id}:{what}"
        while True:
            wait = counter_take(name, limit=limit, window=window, now=self.clock())
            if wait == 0:
                return
            if self.clock() + wait > deadline:
                raise RateLimited(
                    f"{self.label}: our own {what.upper()} limit for this account is reached.",
                    retry_after=wait,
                )
            self.sleep(wait)

    def _slot(self, deadline: float) -> Callable[[], None]:
        while True:
            for i in range(self.concurrency):
                name = f"acct:{self.account_id}:slot:{i}"
                token = lease_acquire(name, seconds=SLOT_TTL)
                if token:
                    return lambda: lease_release(name, token)
            if self.clock() + 0.05 > deadline:
                raise RateLimited(
                    f"{self.label}: {self.concurrency} requests already in flight for this "
                    "account (its concurrency limit).",
                    retry_after=1.0,
                )
            self.sleep(0.05)

    def _wait_for_provider_window(self, deadline: float) -> None:
        """Respect X-RateLimit-Remaining: 0 until the provider's reset time."""
        row = (
            ProviderAccount.objects.filter(pk=self.account_id)
            .values("rate_limit_remaining", "rate_limit_reset_at")
            .first()
        )
        if not row or row["rate_limit_remaining"] != 0 or not row["rate_limit_reset_at"]:
            return
        wait = row["rate_limit_reset_at"].timestamp() - self.clock()
        if wait <= 0:
            return
        if self.clock() + wait > deadline:
            raise RateLimited(
                f"{self.label} says our request quota is used up until "
                f"{row['rate_limit_reset_at']:%H:%M:%S} UTC.",
                retry_after=wait,
            )
        self.sleep(wait)

    # -- breaker ------------------------------------------------------------------------------
    def _check_breaker(self) -> None:
        qs = ProviderAccount.objects.filter(pk=self.account_id)
        row = qs.values("breaker_state", "breaker_opened_at").first()
        if row is None or row["breaker_state"] == ProviderAccount.BreakerState.CLOSED:
            return
        now = timezone.now()
        opened = row["breaker_opened_at"] or now
        waited = (now - opened).total_seconds()
        # After the cooldown one caller becomes the probe: open -> half-open (or it takes
        # over a probe that died); everyone else keeps being refused until it reports.
        became_probe = waited >= BREAKER_COOLDOWN and qs.filter(
            breaker_state=row["breaker_state"], breaker_opened_at=row["breaker_opened_at"]
        ).update(breaker_state=ProviderAccount.BreakerState.HALF_OPEN, breaker_opened_at=now)
        if became_probe:
            return
        raise ProviderUnavailable(
            f"{self.label} keeps failing, so requests are paused for "
            f"{max(math.ceil(BREAKER_COOLDOWN - waited), 1)} s (circuit breaker open)."
        )

    def record_success(self) -> None:
        ProviderAccount.objects.filter(pk=self.account_id).filter(
            ~Q(breaker_state=ProviderAccount.BreakerState.CLOSED) | Q(breaker_failures__gt=0)
        ).update(
            breaker_state=ProviderAccount.BreakerState.CLOSED,
            breaker_failures=0,
            breaker_opened_at=None,
        )

    def record_failure(self, message: str) -> None:
        now = timezone.now()
        qs = ProviderAccount.objects.filter(pk=self.account_id)
        qs.update(
            breaker_failures=F("breaker_failures") + 1,
            errors_count=F("errors_count") + 1,
            last_error=message[:300],
            last_error_at=now,
        )
        opened = qs.filter(
            Q(breaker_state=ProviderAccount.BreakerState.HALF_OPEN)
            | Q(
                breaker_state=ProviderAccount.BreakerState.CLOSED,
                breaker_failures__gte=BREAKER_THRESHOLD,
            )
        ).update(breaker_state=ProviderAccount.BreakerState.OPEN, breaker_opened_at=now)
        if opened:
            logger.warning("circuit breaker opened for account %s: %s", self.account_id, message)

    def record_error(self, message: str) -> None:
        ProviderAccount.objects.filter(pk=self.account_id).update(
            errors_count=F("errors_count") + 1,
            last_error=message[:300],
            last_error_at=timezone.now(),
        )

    def note_rate_limit(self, *, remaining: int | None, reset_epoch: float | None) -> None:
        if remaining is None:
            return
        reset = (
            datetime.fromtimestamp(reset_epoch, UTC)
            if reset_epoch
            else timezone.now() + timedelta(seconds=60)
        )
        ProviderAccount.objects.filter(pk=self.account_id).update(
            rate_limit_remaining=remaining, rate_limit_reset_at=reset
        )
