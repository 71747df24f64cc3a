"""A real sync worker for the fault tests: `python -m tests.faults.sync_worker ACCOUNT_ID`.

It runs the provider-sync task exactly as django-q2 does (`telephony.tasks.sync_account`,
its lease included) for the call logs, once. Each committed chunk of the bulk upsert is
followed by a short pause (a slower database), so the test's SIGKILL lands mid-sync.
"""

from __future__ import annotations

import os
import sys
import time


def main(account_id: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    django.setup()
    from telephony.services import sync
    from telephony.tasks import sync_account

    real_upsert = sync._upsert

    def slow_upsert(account, updates, result):
        real_upsert(account, updates, result)
        time.sleep(float(os.environ.get("SYNC_CHUNK_PAUSE", "0.3")))

    sync._upsert = slow_upsert
    print(f"worker: {sync_account(account_id, 'logs')}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
