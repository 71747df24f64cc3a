"""The project-wide tables: the audit log, named leases and rate counters."""

from callcenter.models.audit import AuditEntry, AuditEntryQuerySet
from callcenter.models.leases import Lease
from callcenter.models.ratelimit import RateCounter

__all__ = ["AuditEntry", "AuditEntryQuerySet", "Lease", "RateCounter"]
