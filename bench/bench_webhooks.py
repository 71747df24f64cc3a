"""Webhook ingestion over real HTTP (gunicorn, DEBUG off): signed sandbox events, verified,
deduped and stored in the request, applied by the drainer in a real `qcluster` (the
production path, `WEBHOOK_APPLY=queued`); sustained ack rate and p50/p99 ack latency
beside a bare view on the same server, then the rate at which they were all applied."""

from __future__ import annotations

import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import (
    bench_database_url,
    gunicorn,
    migrate,
    qcluster,
    report,
    server_env,
    setup_django,
    summary,
)

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
CLIENTS = 16


def _prepare(n_calls: int) -> tuple[str, str, list[str]]:
    from telephony.models import Call
    from tests import factories

    account = factories.make_account(name=f"bench {time.time()}")
    calls = Call.objects.bulk_create(
        Call(
            account=account,
            provider_call_id=f"bench-{i}",
            call_type=Call.Type.TTS,
            to_number="+919876500001",
        )
        for i in range(n_calls)
    )
    return account.webhook_token, account.webhook_secrets[0], [c.provider_call_id for c in calls]


def _load(url: str, make_request, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    def worker(worker_id: int) -> None:
        nonlocal errors
        session = requests.Session()
        i = 0
        while time.monotonic() < deadline:
            method, path, kwargs = make_request(worker_id, i)
            started = time.perf_counter()
            resp = session.request(method, url + path, timeout=10, **kwargs)
            latencies.append(time.perf_counter() - started)
            if resp.status_code >= 300:
                errors += 1
            i += 1

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(worker, range(CLIENTS)))
    return {**summary(latencies, time.monotonic() - started), "errors": errors}


def main() -> None:
    database_url = bench_database_url()
    migrate(database_url)
    setup_django(database_url)
    from telephony.providers.sandbox.adapter import sign

    token, secret, call_ids = _prepare(2000)
    words = ["ringing", "answered", "completed"]

    def webhook(worker_id: int, i: int):
        call_id = call_ids[(worker_id * 7919 + i) % len(call_ids)]
        seq = (i // len(call_ids)) % 3
        body = json.dumps(
            {"event_id": f"{call_id}:{worker_id}:{i}", "call_id": call_id, "event": words[seq]}
        ).encode()
        ts = int(time.time())
        headers = {
            "X-Sandbox-Signature": sign(body, secret, ts),
            "X-Sandbox-Timestamp": str(ts),
            "Content-Type": "application/json",
        }
        return "POST", f"/webhooks/{token}/", {"data": body, "headers": headers}

    from telephony.models import WebhookEvent

    env = server_env(database_url, Q_CLUSTER_NAME=f"bench-{uuid.uuid4().hex[:8]}", Q_WORKERS="2")
    events = WebhookEvent.objects.filter(account__webhook_token=token)
    with gunicorn(env) as url, qcluster(env):
        bare = _load(url, lambda w, i: ("GET", "/health/live/", {}), SECONDS)
        started = time.monotonic()
        ingest = _load(url, webhook, SECONDS)
        sent_for = time.monotonic() - started
        stored = events.count()
        deadline = time.monotonic() + 120
        while events.filter(state="applied").count() < stored and time.monotonic() < deadline:
            time.sleep(0.2)
        applied_for = time.monotonic() - started
        applied = events.filter(state="applied").count()
    ratio = round(ingest["rate_per_s"] / bare["rate_per_s"], 3) if bare["rate_per_s"] else None
    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    report(
        "webhooks",
        [
            {"what": "bare view", "db": engine, **bare},
            {"what": "webhook ingest (ack)", "db": engine, **ingest, "ratio_to_bare": ratio},
            {
                "what": "webhook applied (drainer)",
                "db": engine,
                "count": applied,
                "rate_per_s": round(applied / applied_for, 1),
                "lag_after_last_s": round(applied_for - sent_for, 1),
                "ratio_to_bare": round(applied / applied_for / bare["rate_per_s"], 3),
            },
        ],
    )


if __name__ == "__main__":
    main()
