from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from callcenter.services.errors import ServiceError
from telephony.models import Agent, Call, Callback, Disposition
from telephony.services import call_click_to_call
from telephony.services.agents import agent_set_state
from tests.telephony.helpers import deliver_all_events

HX = {"HX-Request": "true"}


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_click_to_call_is_refused_while_the_agent_is_paused(agent, contact):
    agent_set_state(user=agent.user, state="paused", reason="Lunch")
    with pytest.raises(ServiceError, match="paused. Set yourself Ready"):
        call_click_to_call(user=agent.user, contact=contact)
    assert not Call.objects.exists()


def test_click_to_call_is_refused_during_wrap_up_until_ready(agent, contact):
    call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    agent.refresh_from_db()
    assert agent.state == Agent.State.WRAP_UP
    with pytest.raises(ServiceError, match="wrap-up"):
        call_click_to_call(user=agent.user, contact=contact)
    agent_set_state(user=agent.user, state="ready")
    assert call_click_to_call(user=agent.user, contact=contact).pk


def test_pausing_needs_a_reason_and_is_audited(agent):
    with pytest.raises(ServiceError, match="Say why"):
        agent_set_state(user=agent.user, state="paused")
    agent_set_state(user=agent.user, state="paused", reason="Training")
    agent.refresh_from_db()
    assert (agent.state, agent.pause_reason) == ("paused", "Training")
    entry = AuditEntry.objects.get(action="agent.state")
    assert "Paused (Training)" in entry.summary


def test_state_cannot_change_during_a_call(agent, contact):
    call_click_to_call(user=agent.user, contact=contact)
    with pytest.raises(ServiceError, match="on a call"):
        agent_set_state(user=agent.user, state="paused", reason="Break")


def test_set_state_over_htmx_returns_the_state_fragment_with_a_toast(agent_client, agent):
    resp = agent_client.post(
        reverse("telephony:workspace_set_state"), {"state": "paused", "reason": "Break"}, headers=HX
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in body
    assert 'id="ws-state"' in body and "Paused" in body and "Break" in body
    assert "toast" in resp.headers["HX-Trigger"]


def test_set_state_is_post_only(agent_client):
    assert agent_client.get(reverse("telephony:workspace_set_state")).status_code == 405


def test_polled_status_sends_the_buttons_only_when_the_state_changed(agent_client, agent):
    url = reverse("telephony:workspace_state")
    same = agent_client.get(url, {"shown": "ready"}, headers=HX).content.decode()
    assert 'id="ws-status"' in same and "ws-actions" not in same
    changed = agent_client.get(url, {"shown": "paused"}, headers=HX).content.decode()
    assert 'id="ws-actions" hx-swap-oob="true"' in changed


def test_workspace_shows_the_wrap_up_form_when_the_call_ends(agent_client, agent, contact):
    call = call_click_to_call(user=agent.user, contact=contact)
    url = reverse("telephony:workspace_current")
    live = agent_client.get(url, headers=HX).content.decode()
    assert "Live" in live and "Save wrap-up" not in live
    deliver_all_events()
    ended = agent_client.get(url, headers=HX).content.decode()
    assert "Save wrap-up" in ended
    assert reverse("telephony:workspace_wrap_up", args=[call.pk]) in ended
    page = agent_client.get(reverse("telephony:workspace")).content.decode()
    assert "Wrap-up time" in page


def test_call_back_later_schedules_a_callback_for_the_agent(agent_client, agent, contact):
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    callback = Disposition.objects.get(code="callback")
    due = timezone.now() + timedelta(hours=2)
    resp = agent_client.post(
        reverse("telephony:workspace_wrap_up", args=[call.pk]),
        {"disposition": callback.pk, "note": "after lunch", "callback_at": _local(due)},
        headers=HX,
    )
    assert resp.status_code == 200 and "Wrap-up saved" in resp.headers["HX-Trigger"]
    cb = Callback.objects.get()
    assert cb.agent == agent and cb.contact == contact and cb.call == call
    assert abs((cb.due_at - due).total_seconds()) < 60
    agent.refresh_from_db()
    assert agent.state == Agent.State.READY
    assert AuditEntry.objects.filter(action="callback.schedule").exists()


def test_call_back_later_without_a_time_is_refused_inline(agent_client, agent, contact):
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    resp = agent_client.post(
        reverse("telephony:workspace_wrap_up", args=[call.pk]),
        {"disposition": Disposition.objects.get(code="callback").pk},
        headers=HX,
    )
    assert "Choose when to call back" in resp.content.decode()
    call.refresh_from_db()
    assert call.disposition is None and not Callback.objects.exists()


def test_callback_for_anyone_shows_for_every_agent(agent, other_agent, contact, client):
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    client.force_login(agent.user)
    client.post(
        reverse("telephony:workspace_wrap_up", args=[call.pk]),
        {
            "disposition": Disposition.objects.get(code="callback").pk,
            "callback_at": _local(timezone.now() + timedelta(minutes=5)),
            "callback_for_anyone": "on",
        },
    )
    cb = Callback.objects.get()
    assert cb.agent is None
    Callback.objects.filter(pk=cb.pk).update(due_at=timezone.now())  # time passes
    client.force_login(other_agent.user)
    body = client.get(reverse("telephony:workspace_callbacks"), headers=HX).content.decode()
    # Due already: the row carries the reminder hook the page's script turns into a toast.
    assert f'data-callback-due="{cb.pk}"' in body and contact.name in body


def test_agent_cannot_wrap_up_or_close_another_agents_callback(agent_client, other_agent, contact):
    theirs = Call.objects.create(
        account=other_agent.extensions.get().account,
        call_type=Call.Type.CLICK_TO_CALL,
        agent=other_agent,
        contact=contact,
        status="completed",
    )
    resp = agent_client.post(
        reverse("telephony:workspace_wrap_up", args=[theirs.pk]),
        {"disposition": Disposition.objects.first().pk},
    )
    assert resp.status_code == 404
    cb = Callback.objects.create(contact=contact, agent=other_agent, due_at=timezone.now())
    assert agent_client.post(reverse("telephony:callback_close", args=[cb.pk])).status_code == 404


def test_marking_a_callback_done(agent_client, agent, contact):
    cb = Callback.objects.create(contact=contact, agent=agent, due_at=timezone.now())
    resp = agent_client.post(
        reverse("telephony:callback_close", args=[cb.pk]), {"status": "done"}, headers=HX
    )
    assert resp.status_code == 200 and "marked done" in resp.headers["HX-Trigger"]
    cb.refresh_from_db()
    assert cb.status == "done" and cb.closed_at is not None
