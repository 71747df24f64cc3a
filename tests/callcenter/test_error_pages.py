"""403, 404 and 500 pages in the app's look, saying what happened and a way back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from tests import factories


def _forbidden(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [
    path("forbidden/", _forbidden),
    path("boom/", _boom),
    path("", include("callcenter.urls")),
]


@pytest.fixture
def error_urls(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def _assert_app_page(resp, status, heading):
    body = resp.content.decode()
    assert resp.status_code == status
    assert 'data-testid="error-page"' in body and heading in body
    assert "/static/css/app.css" in body and "Back to the dashboard" in body


def test_404_page(client, error_urls, db):
    client.force_login(factories.make_user("supervisor"))
    resp = client.get("/no-such-page/")
    _assert_app_page(resp, 404, "Page not found")
    assert "Wallboard" in resp.content.decode()  # the nav is there: a way on, not a dead end


def test_403_page(client, error_urls, db):
    client.force_login(factories.make_user("agent"))
    _assert_app_page(client.get("/forbidden/"), 403, "Not allowed")


def test_csrf_failure_says_the_form_expired(error_urls, db):
    client = Client(enforce_csrf_checks=True)
    resp = client.post("/login/", {"username": "a", "password": "b"})
    _assert_app_page(resp, 403, "This form has expired")


def test_500_page_needs_neither_database_nor_user(error_urls, db):
    client = Client(raise_request_exception=False)
    resp = client.get("/boom/")
    _assert_app_page(resp, 500, "Something went wrong")
    assert "kaboom" not in resp.content.decode()
