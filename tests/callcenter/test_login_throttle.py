"""One login throttle for every login form, /admin/login/ included (issue 18.3): keyed per
username + address, per address and per username, with a doubling wait instead of a hard
lockout, and the client address read through the configured proxies only."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from callcenter.services.audit import client_ip
from callcenter.web.middleware import ProxyHeadersMiddleware
from callcenter.web.throttle import record_failure, wait_seconds
from tests import factories

PASSWORD = "pw-Secret-123"


@pytest.fixture
def staff(db):
    return factories.make_user("admin", is_staff=True, is_superuser=True)


def _fail(client, url, username, times, **extra):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, **extra)
        assert response.status_code == 200


def test_admin_login_is_throttled_and_counts_failures(client, staff):
    _fail(client, "/admin/login/", staff.username, 5)
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same counters: /login/ waits too.
    response = client.post(reverse("login"), {"username": staff.username, "password": PASSWORD})
    assert "Too many failed logins" in response.content.decode()


def test_a_user_throttled_on_login_cannot_go_round_through_the_admin(client, staff):
    _fail(client, reverse("login"), staff.username, 5)
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_wait_doubles_and_then_lets_the_user_in(db):
    now = 1_000_000.0
    waits = []
    for i in range(6):
        record_failure("asha", "203.0.113.5", now=now + i)
        waits.append(round(wait_seconds("asha", "203.0.113.5", now=now + i), 3))
    assert waits == [0, 0, 1, 2, 4, 8]  # 3 free, then doubling: no hard lockout
    assert wait_seconds("asha", "203.0.113.5", now=now + 5 + 8.1) == 0
    # Forgotten after a quiet quarter of an hour.
    record_failure("asha", "203.0.113.5", now=now + 2000)
    assert wait_seconds("asha", "203.0.113.5", now=now + 2000) == 0


def test_an_attacker_on_one_account_does_not_lock_the_victim_out(client, settings, db):
    victim = factories.make_user("agent")
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    _fail(client, reverse("login"), victim.username, 8, **attacker)
    assert wait_seconds(victim.username, "198.51.100.66") > 0  # the attacker waits
    response = client.post(
        reverse("login"),
        {"username": victim.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302  # the victim, from their own address, gets in
    # Even a botnet on one account costs the victim at most a minute, never a lockout.
    for i in range(40):
        record_failure(victim.username, f"198.51.100.{i}", now=1_000_000.0 + i)
    assert 0 < wait_seconds(victim.username, "192.0.2.10", now=1_000_040.0) <= 60


def test_behind_the_proxy_each_client_has_its_own_counter(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    user = factories.make_user("agent")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(12):  # one client sprays many usernames
        client.post(
            reverse("login"),
            {"username": f"nobody{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )
    assert wait_seconds("someone", "203.0.113.9") > 0
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
        **proxy,
    )
    assert response.status_code == 302  # another client behind the same proxy is not slowed


def _request(remote, xff=None, proto=None):
    extra = {"REMOTE_ADDR": remote}
    if xff:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    if proto:
        extra["HTTP_X_FORWARDED_PROTO"] = proto
    return RequestFactory().get("/", **extra)


def test_client_address_comes_from_the_configured_proxies_only(settings):
    assert client_ip(_request("127.0.0.1", "203.0.113.5")) == "127.0.0.1"  # no proxy set
    settings.TRUSTED_PROXY_COUNT = 1
    # The client's own X-Forwarded-For entries (left) are not believed; the proxy's is.
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"
    assert client_ip(_request("198.51.100.1", "203.0.113.5")) == "198.51.100.1"  # not a proxy
    assert client_ip(_request("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/8"]
    assert client_ip(_request("10.1.2.3", "6.6.6.6, 203.0.113.5, 10.9.9.9")) == "203.0.113.5"
    assert client_ip(_request("10.1.2.3", "203.0.113.5")) == "10.1.2.3"  # too few hops


def test_forwarded_proto_is_believed_only_from_a_configured_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    middleware = ProxyHeadersMiddleware(lambda request: request.is_secure())
    assert middleware(_request("198.51.100.1", proto="https")) is False
    settings.TRUSTED_PROXY_COUNT = 1
    assert middleware(_request("198.51.100.1", proto="https")) is False  # not the proxy
    assert middleware(_request("127.0.0.1", proto="https")) is True
