"""Browser: the workspace's time-in-state clock ticks in the page, and the polls that run
meanwhile are answered 204 (nothing re-rendered) until the state changes (issue 12)."""

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
    assert answers and set(answers) == {204}, answers  # the polls rendered nothing

    agent_set_state(user=agent.user, state="paused", reason="Lunch")
    expect(page.get_by_test_id("my-state")).to_have_text("Paused", timeout=5_000)
    expect(page.get_by_test_id("state-timer")).to_have_text(re.compile(r"^0:0\d$"))
    assert 200 in answers


def test_a_refused_probe_token_is_replaced_by_a_fresh_render(page):
    agent = factories.make_agent(user=factories.make_user("agent", first_name="Ravi"))
    login(page, agent.user.username)
    status = page.locator("#ws-status")
    assert "probe=" in status.get_attribute("data-live-probe")
    renders = []
    page.on(
        "response",
        lambda r: "/workspace/state/" in r.url and "probe=" not in r.url and renders.append(r),
    )
    # As if the page had stayed open past the token's age: the probe is refused (403).
    status.evaluate("el => el.dataset.liveProbe = el.dataset.liveProbe + 'x'")
    page.wait_for_function(
        "() => !document.querySelector('#ws-status').dataset.liveProbe.endsWith('x')",
        timeout=5_000,
    )
    assert renders and renders[0].status == 200  # rendered without a stamp: a fresh token
    expect(page.get_by_test_id("my-state")).to_have_text("Ready")
