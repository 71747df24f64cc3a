"""A dialer worker paced like production: `python -m tests.faults.campaign_worker LOG`.

It loops the engine task exactly as django-q2 runs it (`engine_run`, its lease and its own
sleeps between passes) and delivers the sandbox's due events every fifth of a second, as
the sandbox pump does, until no campaign is running. Every placing request the sandbox
receives is written to LOG (`campaign:entry:attempt`, O_APPEND, before it is answered), so
a test counts real dials. Database errors (a restarted PostgreSQL) are logged and the loop
goes on, as a django-q2 worker would take its next task.
"""

from __future__ import annotations

import logging
import os
import sys
import time


def main(log_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    django.setup()
    from django.db import DatabaseError, close_old_connections

    from campaigns.dialer.runner import engine_run
    from campaigns.models import Campaign
    from telephony.providers.sandbox.adapter import SandboxProvider
    from telephony.services.sandbox_runtime import sandbox_deliver_due

    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    real_tts_call = SandboxProvider.tts_call

    def tts_call(self, request):
        os.write(fd, f"{request.tag}\n".encode())
        return real_tts_call(self, request)

    SandboxProvider.tts_call = tts_call
    while True:
        try:
            if not Campaign.objects.filter(status=Campaign.Status.RUNNING).exists():
                break
            engine_run(max_seconds=1.0)
            sandbox_deliver_due()
        except DatabaseError:
            logging.getLogger("campaign_worker").exception("database error; next pass")
            time.sleep(0.5)
        close_old_connections()
    print("worker: no running campaign left", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
