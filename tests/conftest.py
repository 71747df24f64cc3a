import os

import pytest

from tests import factories, tiers


@pytest.fixture(autouse=True)
def _fast_hashing_and_media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # In-process tests have no qcluster to drain the inbox: webhooks are applied in their
    # request. The queued path (the production default) is tested in
    # tests/telephony/test_inbox_drain.py and, over gunicorn + qcluster, by the load and
    # fault tests, whose subprocesses run with the default.
    settings.WEBHOOK_APPLY = "inline"
    # The law's calling hours bind click-to-call as well as campaigns, and tests place
    # calls at whatever hour they run: open all day unless a test is about the hours
    # (those set them: tests/campaigns/test_windows.py, tests/telephony/test_local_hours.py).
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"


@pytest.fixture(autouse=True)
def _live_feed_without_its_thread(request, monkeypatch):
    """In-process tests read the live feed by calling its tick(): its thread would query
    the test database from outside the test. Browser tests run the real one (their live
    server is a thread of this process, as the dev server is)."""
    from telephony.services.live_feed import FEED, Feed
    from telephony.views import live

    if request.node.get_closest_marker("browser") is None:
        monkeypatch.setattr(live, "FEED", Feed(autostart=False))
        yield
        return
    yield
    # The live server stops with its streams still open: forget them, so the thread stops
    # instead of reading a database the next test may not allow.
    FEED.forget_all()


@pytest.fixture
def account(db):
    return factories.make_account()


@pytest.fixture
def agent(account):
    return factories.make_agent(account)


@pytest.fixture
def contact(db):
    return factories.make_contact()


@pytest.fixture
def supervisor(db):
    return factories.make_user("supervisor")


@pytest.fixture
def admin_user(db):
    return factories.make_user("admin", is_staff=True)


def pytest_configure(config):
    # Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
    # by the test itself (never by views) would otherwise be refused as "async unsafe".
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers added here
def pytest_collection_modifyitems(config, items):
    # Tiers for `make test-fast`: browser/faults/load by directory, slow by name.
    tiers.mark(config, items)


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush every table, data migrations' rows included: restore them."""
    from django.apps import apps

    from callcenter.services.roles import sync_role_groups
    from telephony.services.defaults import ensure_default_dispositions

    sync_role_groups(apps)
    ensure_default_dispositions(apps)
