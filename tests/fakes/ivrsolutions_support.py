"""Shared set-up of the IVR Solutions fake's tests (test_ivrsolutions_fake*.py): the token,
the seeded DID, request helpers, a webhook inbox and the `fake` and `receiver`
fixtures (see tests/fakes/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fakes.ivrsolutions import PATHS, IVRSolutionsFake
from tests.fakes.support import Inbox, running

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


class Receiver(Inbox):
    """Our inbox for IVR Solutions' webhooks; `received` is (headers in lower case, raw body)."""

    def __init__(self) -> None:
        super().__init__()
        self.url = self.address("/hooks/ivr")

    @property
    def received(self) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for _, headers, body in self.lowered()]

    def events(self) -> list[dict]:
        return self.payloads()


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[IVRSolutionsFake]:
    yield from running(IVRSolutionsFake(api_token=TOKEN, seed=7).start())


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    yield from running(Receiver())
