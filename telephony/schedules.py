"""Periodic safety nets (django-q2 schedules), created or corrected after every migrate."""

from django_q.models import Schedule

SCHEDULES = [
    # name, function, minutes between runs
    ("sandbox-pump", "telephony.tasks.sandbox_pump", 1),
    ("inbox-retry-pending", "telephony.tasks.inbox_retry_pending", 1),
    ("provider-sync", "telephony.tasks.sync_all", 1),
    ("extensions-disable-expired", "telephony.tasks.extensions_disable_expired", 60),
    ("masked-sessions-expire", "telephony.tasks.masked_sessions_expire", 1),
    # Agents whose session vanished go Offline; overrun wrap-ups of auto-ready teams, Ready.
    ("agents-sweep", "telephony.tasks.agents_sweep", 1),
    # Hourly, with a time budget per run: a large backlog drains over several runs.
    ("retention-purge", "telephony.tasks.retention_purge", 60),
]


def ensure_schedules(**kwargs) -> None:
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes},
        )
