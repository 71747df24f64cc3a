import os
from pathlib import Path

import pytest

from tests import factories


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


# Tiers for `make test-fast` (`make test` runs them all, as CI does). The three slow
# directories are marked by where they live, so a new test there is marked too.
TESTS = Path(__file__).resolve().parent
BY_DIRECTORY = {"browser": "browser", "faults": "faults", "load": "load"}
# The slowest of the rest, by node-id prefix (a file, or file::test with its parameters),
# measured with --durations on 2 shared cores (2026-12-03, seconds per test then).
SLOW: tuple[str, ...] = (
    "tests/contacts/test_import.py::test_100k_rows_import_in_batches",  # 164
    "tests/campaigns/test_crash.py::test_sigkilled_worker_never_double_dials",  # 145
    # 67-97: the agents page renders every DID for every extension (agents x DIDs).
    "tests/dashboard/test_query_counts.py::test_dids_agents_masked_callbacks",
    "tests/campaigns/test_engine.py::test_concurrency_and_cps_are_never_exceeded",  # 11
    "tests/dashboard/test_role_matrix.py::test_every_url_with_every_role",  # 10
    "tests/campaigns/test_zone_intersection.py::test_a_call_is_allowed_only_when_every",  # 8
    "tests/campaigns/test_windows.py::test_next_allowed_is_allowed_and_nothing_earlier",  # 7
    "tests/campaigns/test_windows.py::test_allowed_matches_the_local_wall_clock",  # 6
    "tests/campaigns/test_windows.py::test_engine_never_dials_outside_the_contacts",  # 4
    "tests/security/test_fuzz_webhooks.py",  # 6 + 3
    "tests/campaigns/test_engine.py::test_retries_happen_at_the_configured_gaps",  # 5
    "tests/telephony/test_inbox_drain.py::test_drained_batches_end_where_inline",  # 5
    "tests/callcenter/test_admin_rules.py::test_every_admin_list_add_and_change_page",  # 8
)


def _tier(item) -> str | None:
    try:
        first = Path(item.path).resolve().relative_to(TESTS).parts[0]
    except ValueError:
        return None  # collected from outside tests/ (an explicit path)
    return BY_DIRECTORY.get(first)


def pytest_collection_modifyitems(config, items):
    for item in items:
        tier = _tier(item)
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush every table, data migrations' rows included: restore them."""
    from django.apps import apps

    from callcenter.services.roles import sync_role_groups
    from telephony.services.defaults import ensure_default_dispositions

    sync_role_groups(apps)
    ensure_default_dispositions(apps)
