"""A real django-q2 cluster for the fault tests: `python -m tests.faults.qcluster_worker LOG`.

It is `manage.py qcluster` with one addition: every placing request the sandbox receives
is written to LOG (`campaign:entry:attempt`, O_APPEND, before it is answered). The worker
processes are forked from this one, so they inherit the wrapper.
"""

from __future__ import annotations

import os
import sys


def main(log_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    django.setup()
    from django.core.management import call_command

    from telephony.providers.sandbox.adapter import SandboxProvider

    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    real_tts_call = SandboxProvider.tts_call

    def tts_call(self, request):
        os.write(fd, f"{request.tag}\n".encode())
        return real_tts_call(self, request)

    SandboxProvider.tts_call = tts_call
    call_command("qcluster")


if __name__ == "__main__":
    main(sys.argv[1])
