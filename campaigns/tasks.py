"""django-q2 tasks: thin triggers. The engine re-derives all its work from the database,
so a task that runs twice, late or never loses nothing (the lease keeps one at a time)."""

from __future__ import annotations


def engine_run() -> dict[str, int]:
    from campaigns.dialer.runner import engine_run as run

    return run()
