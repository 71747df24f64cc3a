"""The engine's safety net: a one-minute schedule that restarts its task chain."""

from django_q.models import Schedule

SCHEDULES = [
    # name, function, minutes between runs
    ("campaign-engine", "campaigns.tasks.engine_run", 1),
    # Imports whose worker died resume after their last committed batch.
    ("contacts-import-resume", "contacts.tasks.import_resume_stale", 1),
]


def ensure_schedules(**kwargs) -> None:
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": minutes},
        )
