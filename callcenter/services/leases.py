"""Named leases in the database: "only one of these runs at a time", across processes.

A lease expires on its own, so a holder that crashes never blocks the work for long.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from callcenter.models.leases import Lease


def lease_acquire(name: str, *, seconds: float) -> str | None:
    """Return a holder token if the lease was free (or expired), else None."""
    now = timezone.now()
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=seconds)
    if Lease.objects.filter(name=name, until__lt=now).update(holder=token, until=until):
        return token
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=token, until=until)
    except IntegrityError:
        return None
    return token


def lease_release(name: str, token: str) -> None:
    Lease.objects.filter(name=name, holder=token).delete()


def lease_renew(name: str, token: str, *, seconds: float) -> bool:
    """Extend a lease we hold; False if it expired and someone else took it."""
    until = timezone.now() + timedelta(seconds=seconds)
    return bool(Lease.objects.filter(name=name, holder=token).update(until=until))
