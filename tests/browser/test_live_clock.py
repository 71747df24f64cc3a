"""Browser: the workspace's time-in-state clock ticks in the page with no request at all,
and a change of state is pushed over the workspace's event stream (issue 12)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from telephony.models import Agent
from telephony.services.agents import agent_set_state
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data")]


def _seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def test_the_clock_ticks_without_a_render_and_a_state_change_still_shows(page):
    agent = factories.make_agent(user=factories.make_user("agent", first_name="Tara"))
    login(page, agent.user.username)  # agents land in their workspace
    Agent.objects.filter(pk=agent.pk).update(state_since=timezone.now() - timedelta(seconds=65))
    page.reload()
    answers = []
    page.on(
        "response",
        lambda r: "/workspace/state/" in r.url and answers.append(r.status),
    )
    timer = page.get_by_test_id("state-timer")
    start = _seconds(timer.inner_text())
    assert 64 <= start <= 70
    page.wait_for_timeout(3500)
    later = _seconds(timer.inner_text())
    assert later >= start + 3  # the page counted on by itself
    assert answers == []  # and asked the server nothing: no poll while nothing moves

    agent_set_state(user=agent.user, state="paused", reason="Lunch")
    expect(page.get_by_test_id("my-state")).to_have_text("Paused", timeout=5_000)
    expect(page.get_by_test_id("state-timer")).to_have_text(re.compile(r"^0:0\d$"))
    assert 200 in answers  # pushed, then fetched


def test_a_stream_that_ends_is_opened_again_and_still_pushes(page, settings):
    settings.LIVE_STREAM_SECONDS = 1  # as if five minutes had passed, several times over
    agent = factories.make_agent(user=factories.make_user("agent", first_name="Ravi"))
    streams = []
    page.on("request", lambda r: "/workspace/events/" in r.url and streams.append(r.url))
    login(page, agent.user.username)
    page.wait_for_timeout(3000)
    assert len(streams) >= 2  # the browser reconnected after the server ended the stream
    agent_set_state(user=agent.user, state="paused", reason="Coaching")
    expect(page.get_by_test_id("my-state")).to_have_text("Paused", timeout=5_000)
