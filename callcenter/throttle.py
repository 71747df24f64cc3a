"""Login throttling: after repeated failures for one username or one address, refuse for a while.

Failures are counted in the shared RateCounter table (fixed 15-minute windows), so the
limit holds across every web process.
"""

from __future__ import annotations

import math
import time

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db.models import F

from callcenter.ratelimit import RateCounter, counter_take

WINDOW = 15 * 60
MAX_FAILURES = 5


def _names(username: str, ip: str | None) -> list[str]:
    return [f"login-user:{username.lower()[:60]}", f"login-ip:{ip or 'unknown'}"]


def failures(name: str, *, now: float | None = None) -> int:
    now = now or time.time()
    start = math.floor(now / WINDOW) * WINDOW
    row = RateCounter.objects.filter(name=name, window_start=start).values("count").first()
    return row["count"] if row else 0


def record_failure(username: str, ip: str | None) -> None:
    now = time.time()
    for name in _names(username, ip):
        if counter_take(name, limit=10_000, window=WINDOW, now=now):
            RateCounter.objects.filter(name=name).update(count=F("count") + 1)


class ThrottledAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.data.get("username", "")
        ip = self.request.META.get("REMOTE_ADDR") if self.request else None
        if any(failures(n) >= MAX_FAILURES for n in _names(username, ip)):
            minutes = math.ceil((WINDOW - time.time() % WINDOW) / 60)
            plural = "s" if minutes > 1 else ""
            raise forms.ValidationError(
                f"Too many failed logins. Try again in {minutes} minute{plural}.", code="throttled"
            )
        try:
            return super().clean()
        except forms.ValidationError:
            record_failure(username, ip)
            raise


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
