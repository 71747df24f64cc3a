"""Helpers the doc-example tests share: send a doc's request body to the fake byte for
byte, and read back what the adapter sent."""

import json

import requests


def post_verbatim(url: str, raw: bytes, headers: dict[str, str]) -> requests.Response:
    """The doc's example request, as written, to the fake (its auth in `headers`)."""
    return requests.post(
        url, data=raw, headers={**headers, "Content-Type": "application/json"}, timeout=5
    )


def last_sent(fake, path: str) -> dict:
    """The JSON body of the last request the fake received on `path`."""
    return json.loads(fake.requests_to(path)[-1].body)
