"""Run one provider's HTTP fake standalone, so the dashboard can be tried without an account.

    python -m tests.fakes ivrsolutions --port 9100 --webhook-url http://127.0.0.1:8000/webhooks/<token>/

The fake's clock follows the wall clock (one tick a second), so calls placed through it
ring, answer and hang up in real time and their webhooks reach the given URL.
"""

from __future__ import annotations

import argparse
import importlib
import threading
import time
from datetime import UTC, datetime

FAKES = {
    "ivrsolutions": "IVR Solutions",
    "callmatic": "Callmatic",
    "callkaro": "CallKaro",
    "robotalker": "Robotalker",
    "outboundcalls": "OutboundCalls.ai",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes",
        description="Serve a provider's HTTP fake on this machine (127.0.0.1 by default).",
    )
    parser.add_argument("provider", choices=sorted(FAKES), help="which provider to fake")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--webhook-url", default="", help="where the fake POSTs call events")
    parser.add_argument(
        "--webhook-secret", default="", help="signing secret (IVR Solutions, OutboundCalls.ai)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated outcomes")
    args = parser.parse_args(argv)

    module = importlib.import_module(f"tests.fakes.{args.provider}")
    fake = module.Fake(seed=args.seed)
    fake.webhook_url = args.webhook_url or None
    fake.clock = datetime.now(UTC)  # real time: signed events must pass timestamp checks
    if args.webhook_secret:
        for attr in ("secret_key", "webhook_secret"):
            if hasattr(fake, attr):
                setattr(fake, attr, args.webhook_secret)
    threading.Thread(target=_tick, args=(fake,), daemon=True).start()
    credentials = {k: v for k, v in vars(fake).items() if k in ("api_token", "api_key")}
    base = f"http://{args.host}:{args.port}{getattr(module, 'BASE_PATH', '')}"
    print(f"{FAKES[args.provider]} fake: base URL {base}, credentials {credentials}", flush=True)
    fake.serve_forever(args.host, args.port)


def _tick(fake) -> None:
    while True:
        time.sleep(1)
        fake.advance(1)


if __name__ == "__main__":
    main()
