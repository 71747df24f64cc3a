"""Login throttling, one for every login form (ours and the Django admin's).

Failures are counted per key in the shared RateCounter table, so the limit holds across
every web process. There is no hard lockout: after a few free failures each further one
doubles the wait before that key may try again (1 s, 2 s, 4 s … up to a cap), and a quiet
`RESET_AFTER` forgets them. The keys are chosen so that an attacker slows himself more than
his victim:

- username + client address: the guesser's own pair, steep (3 free, up to 15 minutes);
- client address, any username: one address spraying many accounts (10 free);
- username, from anywhere: a botnet on one account (10 free, at most 60 s), so the real
  user, from a fresh address, waits a minute at worst rather than being locked out.

A refused attempt is not counted (and its password not checked): hammering during the wait
does not lengthen it for anyone. The client address is `callcenter.services.audit.client_ip`
(X-Forwarded-For only through `TRUSTED_PROXY_COUNT` proxies).
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.db import IntegrityError, transaction
from django.db.models import F

from callcenter.services.audit import client_ip
from callcenter.services.ratelimit import RateCounter

RESET_AFTER = 15 * 60  # seconds without a failure that forget a key's failures


class Rule(NamedTuple):
    prefix: str
    free: int  # failures allowed before any wait
    cap: float  # longest wait, seconds


PAIR = Rule("login-pair", 3, 15 * 60)
ADDRESS = Rule("login-ip", 10, 15 * 60)
USERNAME = Rule("login-user", 10, 60)


def _keys(username: str, ip: str | None) -> list[tuple[Rule, str]]:
    user = username.strip().lower()[:40]  # the key fits RateCounter.name (100)
    addr = ip or "unknown"
    return [
        (PAIR, f"{PAIR.prefix}:{user}|{addr}"),
        (ADDRESS, f"{ADDRESS.prefix}:{addr}"),
        (USERNAME, f"{USERNAME.prefix}:{user}"),
    ]


def wait_seconds(username: str, ip: str | None, *, now: float | None = None) -> float:
    """Seconds before this username may try again from this address (0 = now)."""
    now = now or time.time()
    names = {name: rule for rule, name in _keys(username, ip)}
    rows = RateCounter.objects.filter(name__in=names, window_start__gt=now - RESET_AFTER)
    longest = 0.0
    for name, last_failure, count in rows.values_list("name", "window_start", "count"):
        rule = names[name]
        if count >= rule.free:
            delay = min(rule.cap, 2.0 ** (count - rule.free))
            longest = max(longest, last_failure + delay - now)
    return longest


def record_failure(username: str, ip: str | None, *, now: float | None = None) -> None:
    """Count one failure on every key; `window_start` holds the time of the last one."""
    now = now or time.time()
    for _, name in _keys(username, ip):
        qs = RateCounter.objects.filter(name=name)
        if qs.filter(window_start__gt=now - RESET_AFTER).update(
            count=F("count") + 1, window_start=now
        ):
            continue
        if qs.update(count=1, window_start=now):
            continue  # its earlier failures were long ago: start again
        try:
            with transaction.atomic():
                RateCounter.objects.create(name=name, window_start=now, count=1)
        except IntegrityError:  # another process created it meanwhile
            qs.update(count=F("count") + 1, window_start=now)


def record_success(username: str, ip: str | None) -> None:
    """The user proved the password from this address: forget that pair's failures (the
    address and username keys stay, or a guesser could reset them with his own account)."""
    RateCounter.objects.filter(name=_keys(username, ip)[0][1]).delete()


class LoginThrottleMixin:
    """For an AuthenticationForm: refuse while the throttle says wait, count failures."""

    def clean(self):
        username = str(self.data.get("username", ""))
        ip = client_ip(self.request)
        wait = wait_seconds(username, ip)
        if wait > 0:
            # Still a failed login for the audit log (and anything else listening).
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            raise forms.ValidationError(
                f"Too many failed logins. Try again in {_duration(wait)}.", code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(username, ip)
            raise
        record_success(username, ip)
        return cleaned


def _duration(seconds: float) -> str:
    if seconds < 90:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole > 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


class ThrottledAuthenticationForm(LoginThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(LoginThrottleMixin, AdminAuthenticationForm):
    """/admin/login/ (set as `admin.site.login_form` in callcenter.admin)."""


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
