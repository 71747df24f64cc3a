"""A real dialer worker for the crash test: `python -m tests.campaigns.crash_worker LOG`.

It runs the engine exactly as the django-q2 task does (`engine_run`, with its lease),
delivers the sandbox's due events between runs, and records every placing request the
sandbox receives in LOG (one `campaign:entry:attempt` per line, written with O_APPEND
before the provider answers), so the test can count real dials after SIGKILLs.
"""

from __future__ import annotations

import os
import sys
import time


def main(log_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    django.setup()
    from campaigns.dialer.runner import engine_run
    from campaigns.models import Campaign
    from telephony.providers.sandbox.adapter import SandboxProvider
    from telephony.services.sandbox_runtime import sandbox_deliver_due

    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    real_tts_call = SandboxProvider.tts_call

    def tts_call(self, request):
        os.write(fd, f"{request.tag}\n".encode())
        # A little network latency, so a kill often lands between the provider taking
        # the call and our recording its id: the window that must not cause a redial.
        time.sleep(0.002)
        return real_tts_call(self, request)

    SandboxProvider.tts_call = tts_call
    while Campaign.objects.filter(status=Campaign.Status.RUNNING).exists():
        engine_run(max_seconds=0.5, sleep=lambda s: time.sleep(min(s, 0.01)))
        sandbox_deliver_due()
    print("worker: no running campaign left", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
