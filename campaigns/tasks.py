"""django-q2 tasks: thin triggers. The engine re-derives all its work from the database,
so a task that runs twice, late or never loses nothing (the lease keeps one at a time)."""

from __future__ import annotations

from campaigns.dialer import runner


def engine_run() -> dict[str, int]:
    return runner.engine_run()
