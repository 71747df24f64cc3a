"""Fixed-window counters in the database, shared by every web and worker process."""

from __future__ import annotations

import math

from django.db import IntegrityError, transaction
from django.db.models import F

from callcenter.models.ratelimit import RateCounter


def counter_take(name: str, *, limit: int, window: float, now: float) -> float:
    """Take one unit of `limit` per `window` seconds. Returns 0 when granted, else the
    seconds until the current window ends (the caller waits or gives up)."""
    start = math.floor(now / window) * window
    qs = RateCounter.objects.filter(name=name)
    for _ in range(5):
        if qs.filter(window_start=start, count__lt=limit).update(count=F("count") + 1):
            return 0.0
        if qs.filter(window_start__lt=start).update(window_start=start, count=1):
            return 0.0
        if qs.filter(window_start=start, count__gte=limit).exists():
            return max(start + window - now, 0.001)  # this window is full
        try:
            with transaction.atomic():
                RateCounter.objects.create(name=name, window_start=start, count=1)
            return 0.0
        except IntegrityError:
            continue  # another process created the row meanwhile: take from it
    return max(start + window - now, 0.001)
