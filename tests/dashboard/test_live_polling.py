"""Live updates (issue 12): a poll carries the stamp its fragment was rendered at; while
nothing it shows changed the answer is 204 (htmx keeps the DOM), after a change the
fragment renders. The workspace's status poll brings the live call card along."""

import json
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import ImportJob
from telephony.models import Call, Callback
from telephony.services import call_click_to_call
from telephony.services.agents import agent_set_state
from telephony.services.live_feed import Feed
from telephony.views import live as live_views
from tests import factories
from tests.telephony.helpers import deliver_all_events, deliver_next_event

HX = {"HX-Request": "true"}
STATE = reverse("telephony:workspace_state")


def _vals(body: str) -> dict:
    """What htmx sends at the next poll of the first polled element in `body`."""
    element = re.search(r"hx-vals='(\{[^']*\})'", body)
    vals = json.loads(element.group(1)) if element else {}
    card = re.search(r'id="ws-current-v" name="c" value="([0-9a-f]+)"', body)
    if card:
        vals["c"] = card.group(1)
    return vals


def _page_vals(client) -> dict:
    return _vals(client.get(reverse("telephony:workspace")).content.decode())


def _page_vals_for(agent) -> dict:
    client = Client()
    client.force_login(agent.user)
    return _page_vals(client)


def test_an_unchanged_status_poll_answers_204_and_a_change_renders(agent_client, agent):
    vals = _page_vals(agent_client)
    same = agent_client.get(STATE, vals, headers=HX)
    assert same.status_code == 204 and same.content == b""
    assert "HX-Request" in same["Vary"]
    agent_set_state(user=agent.user, state="paused", reason="Lunch")
    changed = agent_client.get(STATE, vals, headers=HX)
    body = changed.content.decode()
    assert changed.status_code == 200 and "Paused" in body and "Lunch" in body
    assert 'id="ws-actions" hx-swap-oob="true"' in body  # the buttons follow the new state
    assert agent_client.get(STATE, _vals(body), headers=HX).status_code == 204


def test_the_unchanged_status_poll_reads_little(agent_client, agent):
    vals = _page_vals(agent_client)
    agent_client.get(STATE, vals, headers=HX)  # warm the session and the content types
    with CaptureQueriesContext(connection) as ctx:
        assert agent_client.get(STATE, vals, headers=HX).status_code == 204
    # the session, the user, their role, and one read of both stamps: nothing rendered
    assert len(ctx.captured_queries) <= 4, [q["sql"] for q in ctx.captured_queries]


def test_the_status_poll_brings_the_live_call_card_when_it_moves(agent_client, agent, contact):
    call_click_to_call(user=agent.user, contact=contact)
    vals = _page_vals(agent_client)
    assert "c" in vals  # the card is live: its stamp rides on the status poll
    assert agent_client.get(STATE, vals, headers=HX).status_code == 204
    deliver_next_event()  # ringing
    body = agent_client.get(STATE, vals, headers=HX).content.decode()
    assert '<section id="ws-current" class="card" hx-swap-oob="true"' in body
    assert 'data-testid="current-status">Ringing' in body
    vals = _vals(body)
    assert agent_client.get(STATE, vals, headers=HX).status_code == 204
    deliver_all_events()  # answered, then ended: the wrap-up form comes
    body = agent_client.get(STATE, vals, headers=HX).content.decode()
    assert "Save wrap-up" in body and "Wrap-up time" in body
    # A wrap-up form is not live: no card stamp, so no poll ever replaces it.
    assert 'id="ws-current-v"' not in body


def test_the_current_card_alone_answers_204_while_unchanged(agent_client, agent, contact):
    call_click_to_call(user=agent.user, contact=contact)
    url = reverse("telephony:workspace_current")
    first = agent_client.get(url, headers=HX).content.decode()
    card = {"v": _vals(first)["c"]}
    assert agent_client.get(url, card, headers=HX).status_code == 204
    deliver_next_event()
    assert "Ringing" in agent_client.get(url, card, headers=HX).content.decode()


def test_the_clock_starts_at_the_servers_count_and_ticks_in_the_browser(agent_client, agent):
    page = agent_client.get(reverse("telephony:workspace")).content.decode()
    timer = re.search(r'data-testid="state-timer" data-elapsed="(\d+)"[^>]*>(\d+):(\d\d)<', page)
    assert timer, "the timer carries the seconds spent so far for static/js/dashboard.js"
    assert int(timer.group(1)) == int(timer.group(2)) * 60 + int(timer.group(3))


def test_wallboard_poll_answers_204_until_a_call_moves(supervisor_client, agent, contact):
    url = reverse("telephony:wallboard")
    page = supervisor_client.get(url).content.decode()
    assert 'data-testid="wallboard-pulse"' in page and 'hx-trigger="live"' in page
    assert f'data-live-stream="{reverse("telephony:wallboard_events")}"' in page
    vals = _vals(page)
    same = supervisor_client.get(url, vals, headers=HX)
    assert same.status_code == 204 and "HX-Request" in same["Vary"]
    call_click_to_call(user=agent.user, contact=contact)
    deliver_next_event()  # ringing
    moved = supervisor_client.get(url, vals, headers=HX).content.decode()
    assert re.search(r'kpi-ringing"><span class="kpi-n">1<', moved)


def test_a_shared_wallboard_render_carries_each_supervisors_own_csrf_token(supervisor, agent, db):
    """Two boards get one render; each one's forms still post with its own token."""
    from tests import factories

    boards = []
    for user in (supervisor, factories.make_user("supervisor")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        boards.append(client)
    url = reverse("telephony:wallboard")
    bodies = [c.get(url, headers=HX).content.decode() for c in boards]
    assert "\x00" not in bodies[0] + bodies[1]
    for client, body in zip(boards, bodies, strict=True):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        post = reverse("telephony:wallboard_agent_state", args=[agent.pk])
        resp = client.post(post, {"state": "offline", "csrfmiddlewaretoken": token}, headers=HX)
        assert resp.status_code == 200  # not 403: the token is this session's
        agent.refresh_from_db()
        agent_set_state(user=agent.user, state="ready")


def test_call_page_poll_answers_204_until_the_call_moves(agent_client, agent, contact):
    call = call_click_to_call(user=agent.user, contact=contact)
    url = reverse("telephony:call_detail", args=[call.pk])
    vals = _vals(agent_client.get(url, headers=HX).content.decode())
    unchanged = agent_client.get(url, vals, headers=HX)
    assert unchanged.status_code == 204 and "HX-Request" in unchanged["Vary"]
    deliver_next_event()
    assert (
        'data-testid="call-status">Ringing'
        in agent_client.get(url, vals, headers=HX).content.decode()
    )


def test_import_progress_poll_answers_204_until_rows_are_read(admin_client, tmp_path):
    job = ImportJob.objects.create(
        original_name="leads.csv", status=ImportJob.Status.RUNNING, total_rows=10
    )
    url = reverse("contacts:import", args=[job.pk])
    vals = _vals(admin_client.get(url, headers=HX).content.decode())
    assert admin_client.get(url, vals, headers=HX).status_code == 204
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=4, created_count=4)
    body = admin_client.get(url, vals, headers=HX).content.decode()
    assert "4 of 10 rows read" in body


def test_polls_without_a_stamp_render_as_before(agent_client, agent):
    body = agent_client.get(STATE, {"shown": "ready"}, headers=HX).content.decode()
    assert 'id="ws-status"' in body and Call.objects.count() == 0


def _stream_chunks(response):
    """The event stream's text, chunk by chunk, as the browser's EventSource reads it."""
    assert response["Content-Type"] == "text/event-stream"
    return (c.decode() if isinstance(c, bytes) else c for c in response.streaming_content)


def test_the_feed_wakes_a_workspace_only_when_it_moved(agent, contact, django_assert_num_queries):
    vals = _page_vals_for(agent)
    feed = Feed(autostart=False)
    subscription = feed.subscribe(agent.user_id, (vals["v"], vals.get("c"), None))
    other = feed.subscribe(factories.make_agent().user_id, ("stale", None, None))
    with django_assert_num_queries(2):  # every open workspace: its stamps, its callbacks
        assert feed.tick() == 1  # only the one drawn from stale stamps
    assert not subscription.moved.is_set() and other.moved.is_set()
    call_click_to_call(user=agent.user, contact=contact)  # the agent goes on a call
    assert feed.tick() == 1 and subscription.moved.is_set()
    subscription.moved.clear()
    assert feed.tick() == 0  # told once; the screen fetches the new state itself
    # A callback for the agent (or for anyone) moves the workspace's callbacks card.
    Callback.objects.create(contact=contact, agent=agent, due_at=timezone.now())
    assert feed.tick() == 1 and subscription.moved.is_set()
    feed.unsubscribe(subscription)
    feed.unsubscribe(other)
    assert feed.tick() == 0


def test_the_workspace_stream_pushes_moved_when_the_agent_moves(
    agent_client, agent, monkeypatch, settings
):
    settings.LIVE_STREAM_SECONDS = 2
    feed = Feed(autostart=False)
    monkeypatch.setattr(live_views, "FEED", feed)
    vals = _page_vals(agent_client)
    chunks = _stream_chunks(agent_client.get(reverse("telephony:workspace_events"), vals))
    assert next(chunks).startswith("retry:")
    agent_set_state(user=agent.user, state="paused", reason="Lunch")
    assert feed.tick() == 1
    assert next(chunks).startswith("event: moved")
    assert list(chunks) == []  # the stream ends after LIVE_STREAM_SECONDS (and reconnects)
    assert feed.subscriptions == set()  # an ended stream leaves the feed


def test_the_streams_are_for_their_screens_roles(agent, supervisor):
    as_agent, as_supervisor = Client(), Client()
    as_agent.force_login(agent.user)
    as_supervisor.force_login(supervisor)
    # Other roles get a 404, as everywhere (role_required): the URL reveals nothing.
    assert as_agent.get(reverse("telephony:wallboard_events")).status_code == 404
    assert as_supervisor.get(reverse("telephony:workspace_events")).status_code == 404
    anonymous = Client().get(reverse("telephony:workspace_events"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_wallboard_stream_pushes_a_call_that_moved(
    supervisor_client, agent, contact, monkeypatch, settings
):
    settings.LIVE_STREAM_SECONDS = 2
    feed = Feed(autostart=False)
    monkeypatch.setattr(live_views, "FEED", feed)
    page = supervisor_client.get(reverse("telephony:wallboard")).content.decode()
    chunks = _stream_chunks(
        supervisor_client.get(reverse("telephony:wallboard_events"), {"v": _vals(page)["v"]})
    )
    assert next(chunks).startswith("retry:")
    assert feed.tick() == 0
    call_click_to_call(user=agent.user, contact=contact)
    deliver_next_event()  # ringing
    assert feed.tick() == 1 and next(chunks).startswith("event: moved")
