"""Shared set-up of the IVR Solutions fake's tests (test_ivrsolutions_fake*.py): the token,
the seeded DID, request helpers and a webhook inbox."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from tests.fakes.ivrsolutions import PATHS, IVRSolutionsFake

TOKEN = "tok-123"
DID = "+911143104567"  # seeded as owned, the doc's example DID
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = {e.name: e for e in PATHS}


def call(fake: IVRSolutionsFake, name: str, *, auth: bool = True, **kwargs) -> requests.Response:
    """Send a request to endpoint `name` with the method and path PATHS gives it."""
    endpoint = ROUTES[name]
    headers = {**(AUTH if auth else {}), **kwargs.pop("headers", {})}
    kwargs.setdefault("timeout", 5)
    return requests.request(endpoint.method, fake.url + endpoint.path, headers=headers, **kwargs)


def c2c(fake: IVRSolutionsFake, phone: str = "09876543210", **kwargs) -> requests.Response:
    return call(fake, "c2c_post", json={"did": DID, "ext_no": "2101", "phone": phone}, **kwargs)


def refusal(resp: requests.Response) -> str:
    """A refusal in either form the fake answers (the doc shows none): HTTP 400 with
    `{"status": 400, ...}` or HTTP 200 with `{"status": false, ...}`. Its message."""
    body = resp.json()
    assert (resp.status_code, body["status"]) in ((400, 400), (200, False)), resp.text
    return body["message"]


def placed(fake: IVRSolutionsFake, resp: requests.Response, key: str = "logid"):
    """The fake's call for a placing answer (its logid is a number or text)."""
    return fake.calls[str(resp.json()[key])]


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 recording (headers, raw body) pairs."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return  # keep pytest output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ivr"

    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]
