"""The issue's table from the latest bench/results/*.json: each figure, its baseline from the
same run, the ratio and the target. Prints it and keeps it as bench/results/summary.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import RESULTS, report


def _load(name: str) -> list[dict]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text())["rows"] if path.exists() else []


def _find(rows: list[dict], what: str) -> dict:
    return next((r for r in rows if r.get("what", "").startswith(what)), {})


def webhooks() -> list[dict]:
    rows = _load("webhooks")
    bare, ingest = _find(rows, "bare view"), _find(rows, "webhook ingest")
    applied = _find(rows, "webhook applied")
    if not ingest:
        return []
    return [
        {
            "bench": f"webhook ingest ({ingest['db']})",
            "figure": f"{ingest['rate_per_s']}/s, "
            f"p50 {ingest['p50_ms']} ms, p99 {ingest['p99_ms']} ms",
            "baseline": f"bare view {bare['rate_per_s']}/s",
            "ratio": ingest["ratio_to_bare"],
            "target": ">= 1000/s on PostgreSQL, p99 < 100 ms, ratio >= 0.5",
        },
        *(
            [
                {
                    "bench": f"webhooks applied ({applied['db']})",
                    "figure": f"{applied['rate_per_s']}/s "
                    f"(all applied {applied['lag_after_last_s']} s after the last ack)",
                    "baseline": f"bare view {bare['rate_per_s']}/s",
                    "ratio": applied["ratio_to_bare"],
                    "target": "keeps up with ingest",
                }
            ]
            if applied
            else []
        ),
    ]


def dialer() -> list[dict]:
    rows = _load("dialer")
    raw, engine = _find(rows, "raw SQL"), _find(rows, "engine")
    if not engine:
        return []
    return [
        {
            "bench": f"dialer dispatch ({engine.get('db', '')})",
            "figure": f"{engine['per_second']} calls/s",
            "baseline": f"raw SQL {raw['per_second']}/s",
            "ratio": engine["ratio_to_baseline"],
            "target": f">= 300/s per worker, cost <= 3x raw (now {engine.get('cost_x_raw')}x)",
        }
    ]


def sync() -> list[dict]:
    rows = _load("sync")
    base, new = _find(rows, "bulk_create"), _find(rows, "sync_call_logs, new")
    if not new:
        return []
    return [
        {
            "bench": f"log sync, {new['records']} records ({new['db']})",
            "figure": f"{new['per_second']} records/s",
            "baseline": f"bulk_create {base['per_second']}/s",
            "ratio": new["ratio_to_baseline"],
            "target": ">= 10000/s, ratio >= 0.5",
        }
    ]


def pages() -> list[dict]:
    return [
        {
            "bench": f"page: {r['page']} ({r['calls']} calls, {r['db']})",
            "figure": f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, {r['queries']} queries",
            "baseline": f"admin changelist p95 {r['admin_p95_ms']} ms",
            "ratio": r["speedup_p95"],
            "target": "p95 < 100 ms, >= 5x faster",
        }
        for r in _load("dashboard_pages")
    ]


def csv_import() -> list[dict]:
    rows = _load("import")
    base, service = _find(rows, "by hand"), _find(rows, "import service")
    if not service:
        return []
    return [
        {
            "bench": f"CSV import, {service['rows']} rows ({service['db']})",
            "figure": f"{service['seconds']} s ({service['rows_per_s']} rows/s)",
            "baseline": f"by hand {base['seconds']} s",
            "ratio": service["ratio_to_baseline"],
            "target": "<= 20 s, ratio >= 0.5",
        }
    ]


def memory() -> list[dict]:
    rows = _load("memory")
    idle = _find(rows, "idle")
    return [
        {
            "bench": f"memory: {r['what']}",
            "figure": f"peak RSS {r['peak_rss_mb']} MB",
            "baseline": f"idle worker {idle.get('peak_rss_mb')} MB",
            "ratio": r.get("x_idle"),
            "target": "< 250 MB",
        }
        for r in rows
        if r is not idle
    ]


def live() -> list[dict]:
    rows = _load("live")
    today, pushed = _find(rows, "polling today"), _find(rows, "stamped")
    if not pushed:
        return []
    return [
        {
            "bench": f"live screens ({pushed['agents']} agents, {pushed['boards']} boards)",
            "figure": f"p95 {pushed['p95_ms']} ms, CPU {pushed['cpu_pct']} %, event p95 "
            f"{pushed['agent_event_p95_ms']} ms (agent) / "
            f"{pushed['board_event_p95_ms']} ms (board)",
            "baseline": f"polling today: CPU {today.get('cpu_pct')} %, "
            f"event p95 {today.get('agent_event_p95_ms')} ms",
            "ratio": round(today["cpu_cores"] / pushed["cpu_cores"], 2) if today else None,
            "target": "p95 < 100 ms, CPU < 50 %, event < 1 s",
        }
    ]


def webhook_load() -> list[dict]:
    row = next(iter(_load("webhook_load")), None)  # one row: the scenario's
    if not row:
        return []
    return [
        {
            "bench": "webhook load (the load test's scenario)",
            "figure": f"{row.get('achieved_per_s')}/s, p99 {row.get('p99_ms')} ms",
            "baseline": f"asked {row.get('asked_per_s')}/s",
            "ratio": row.get("ratio_to_asked"),
            "target": f">= {row.get('floor_per_s')}/s (a quarter of the rate asked)",
        }
    ]


def main() -> None:
    rows = [*webhooks(), *dialer(), *sync(), *pages(), *csv_import(), *memory(), *live()]
    rows += webhook_load()
    report("summary", rows or [{"bench": "no results yet: run make bench"}])


if __name__ == "__main__":
    main()
