"""The account guard over real HTTP: breaker, rate limits and concurrency held in the DB."""

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone

from telephony.models import ProviderAccount
from telephony.providers.base import (
    AccountConfig,
    AmbiguousOutcome,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from telephony.providers.kit.http import HttpClient
from telephony.services.guard import BREAKER_THRESHOLD, AccountGuard
from tests import factories
from tests.fakes.base import FakeProviderServer


class EchoFake(FakeProviderServer):
    def register_routes(self):
        self.add_route("GET", "/status", lambda r: {"ok": True})
        self.add_route("POST", "/call", lambda r: {"call_id": "c1"})


@pytest.fixture
def fake():
    server = EchoFake().start()
    yield server
    server.stop()


def _client(account, fake, *, guard=None, sleep=None, **kw):
    guard = guard or AccountGuard(account, label="Echo", sleep=sleep or time.sleep)
    config = AccountConfig(
        account_id=account.pk,
        kind="echo",
        name="echo",
        credentials={},
        base_url=fake.url,
        connect_timeout=1,
        read_timeout=1,
        guard=guard,
    )
    return HttpClient(config, label="Echo", base_url=fake.url, sleep=sleep or time.sleep, **kw)


def test_five_500s_open_the_breaker_then_a_probe_closes_it(db, fake):
    account = factories.make_account()
    client = _client(account, fake, max_attempts=1)
    fake.inject("500", count=BREAKER_THRESHOLD)
    for _ in range(BREAKER_THRESHOLD):
        with pytest.raises(ProviderError):
            client.read("GET", "/status")
    account.refresh_from_db()
    assert account.breaker_state == "open" and account.errors_count == BREAKER_THRESHOLD
    requests_before = len(fake.requests)
    with pytest.raises(ProviderUnavailable, match="keeps failing.*circuit breaker open"):
        client.place("POST", "/call")
    assert len(fake.requests) == requests_before  # refused without touching the provider
    # The cooldown passes: one probe goes through and, succeeding, closes the breaker.
    ProviderAccount.objects.filter(pk=account.pk).update(
        breaker_opened_at=timezone.now() - timedelta(seconds=31)
    )
    assert client.read("GET", "/status").json() == {"ok": True}
    account.refresh_from_db()
    assert account.breaker_state == "closed" and account.breaker_failures == 0


def test_a_failing_probe_reopens_the_breaker(db, fake):
    account = factories.make_account()
    ProviderAccount.objects.filter(pk=account.pk).update(
        breaker_state="open", breaker_opened_at=timezone.now() - timedelta(seconds=31)
    )
    fake.inject("500")
    with pytest.raises(ProviderError):
        _client(account, fake, max_attempts=1).read("GET", "/status")
    account.refresh_from_db()
    assert account.breaker_state == "open"
    assert (timezone.now() - account.breaker_opened_at).total_seconds() < 5


def test_500_on_a_call_placing_request_is_ambiguous_and_not_retried(db, fake):
    account = factories.make_account()
    fake.inject("500")
    with pytest.raises(AmbiguousOutcome):
        _client(account, fake).place("POST", "/call")
    assert len(fake.requests) == 1


def test_retry_after_is_honoured_on_reads(db, fake):
    account = factories.make_account()
    fake.inject("429", retry_after=2)
    started = time.monotonic()
    assert _client(account, fake).read("GET", "/status").status_code == 200
    assert time.monotonic() - started >= 2.0
    assert len(fake.requests) == 2


def test_calls_per_second_is_shared_by_every_client_of_the_account(db, fake):
    account = factories.make_account()
    ProviderAccount.objects.filter(pk=account.pk).update(calls_per_second=2)
    account.refresh_from_db()
    sleeps = []
    # Two guards stand for two processes: the only shared state is the database.
    a = _client(account, fake, sleep=sleeps.append)
    b = _client(account, fake, sleep=sleeps.append)
    frozen = time.time()
    a.config.guard.clock = b.config.guard.clock = lambda: frozen
    a.place("POST", "/call")
    b.place("POST", "/call")
    with pytest.raises(RateLimited, match="CPS limit"):
        # The window never ends on a frozen clock: the guard gives up after max_wait.
        a.config.guard.max_wait = 0
        a.place("POST", "/call")
    assert len([r for r in fake.requests if r.path == "/call"]) == 2


def test_concurrency_cap_holds_across_threads_with_their_own_connections(transactional_db, fake):
    account = factories.make_account()
    ProviderAccount.objects.filter(pk=account.pk).update(concurrency_limit=2)
    account.refresh_from_db()
    in_flight, peak, lock = 0, 0, threading.Lock()
    original = fake._respond

    def slow_respond(request):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.2)
        with lock:
            in_flight -= 1
        return original(request)

    fake._respond = slow_respond
    errors = []

    def worker():
        try:
            _client(account, fake).read("GET", "/status")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert peak <= 2


def test_provider_quota_headers_block_until_reset(db, fake):
    account = factories.make_account()
    guard = AccountGuard(account, label="Echo", max_wait=0.1)
    guard.note_rate_limit(remaining=0, reset_epoch=time.time() + 30)
    with pytest.raises(RateLimited, match="quota is used up"):
        guard.acquire(places_call=False)
    guard.note_rate_limit(remaining=50, reset_epoch=time.time() + 30)
    guard.acquire(places_call=False)()


def test_non_json_answer_is_a_counted_provider_error(db, fake):
    account = factories.make_account()
    client = _client(account, fake)
    fake.inject("garbage")
    response = client.read("GET", "/status")
    with pytest.raises(ProviderError, match="not JSON"):
        client.json(response)
    account.refresh_from_db()
    assert account.errors_count == 1 and "not JSON" in account.last_error
    assert account.breaker_state == "closed"


def test_connection_refused_on_placing_is_a_plain_error_not_ambiguous(db):
    account = factories.make_account()
    with requests.Session() as s:
        s.close()
    config = AccountConfig(
        account_id=account.pk,
        kind="echo",
        name="e",
        credentials={},
        connect_timeout=1,
        read_timeout=1,
    )
    client = HttpClient(config, label="Echo", base_url="http://127.0.0.1:9")
    with pytest.raises(ProviderError, match="nothing was sent") as info:
        client.place("POST", "/call")
    assert not isinstance(info.value, AmbiguousOutcome)
