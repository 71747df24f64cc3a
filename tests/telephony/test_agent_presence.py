"""An agent's state is true only while they are there: login, logout, sweeps, supervisors."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from telephony.models import Agent, AgentGroup, Call
from telephony.services.agents import agent_set_enabled
from telephony.services.presence import agents_sweep
from tests import factories

HX = {"HX-Request": "true"}
PASSWORD = "pw-Secret-123"


def _login(agent: Agent) -> Client:
    client = Client()
    assert client.login(username=agent.user.username, password=PASSWORD)
    return client


def test_disabling_an_agent_ends_their_sessions_and_stops_them_logging_in(agent, admin_user):
    browser = _login(agent)
    assert browser.get(reverse("telephony:workspace")).status_code == 200
    agent_set_enabled(actor=admin_user, agent=agent, enabled=False)
    assert not Session.objects.exists()
    resp = browser.get(reverse("telephony:workspace"))
    assert resp.status_code == 302 and "/login" in resp["Location"]
    assert not Client().login(username=agent.user.username, password=PASSWORD)
    agent.user.refresh_from_db()
    assert not agent.user.is_active
    assert "ended 1 session" in AuditEntry.objects.get(action="agent.disable").summary
    agent_set_enabled(actor=admin_user, agent=agent, enabled=True)  # and back again
    assert Client().login(username=agent.user.username, password=PASSWORD)


def test_login_makes_an_offline_agent_ready_and_logout_makes_them_offline(agent):
    Agent.objects.filter(pk=agent.pk).update(state=Agent.State.OFFLINE)
    browser = _login(agent)
    agent.refresh_from_db()
    assert agent.state == Agent.State.READY
    browser.post(reverse("logout"))
    agent.refresh_from_db()
    assert agent.state == Agent.State.OFFLINE
    assert AuditEntry.objects.filter(action="agent.state", summary="Ready → Offline").exists()
    Agent.objects.filter(pk=agent.pk).update(state=Agent.State.PAUSED, pause_reason="Lunch")
    _login(agent)  # a second browser: a paused agent stays paused
    agent.refresh_from_db()
    assert agent.state == Agent.State.PAUSED


def test_a_new_agent_row_is_offline(db):
    assert Agent.objects.create(user=factories.make_user("agent")).state == Agent.State.OFFLINE


def test_sweep_sets_agents_whose_session_vanished_offline(account):
    present, gone, expired, talking = (factories.make_agent(account) for _ in range(4))
    _login(present)
    _login(expired)
    Session.objects.filter(
        pk__in=[
            s.pk
            for s in Session.objects.all()
            if s.get_decoded()["_auth_user_id"] == str(expired.user_id)
        ]
    ).update(expire_date=timezone.now() - timedelta(seconds=1))
    Agent.objects.filter(pk=talking.pk).update(state=Agent.State.ON_CALL)
    Agent.objects.update(state_since=timezone.now() - timedelta(minutes=1))
    assert agents_sweep()["offline"] == 2
    states = dict(Agent.objects.values_list("pk", "state"))
    assert states[present.pk] == Agent.State.READY
    assert states[gone.pk] == states[expired.pk] == Agent.State.OFFLINE
    assert states[talking.pk] == Agent.State.ON_CALL  # the call ends first, then the sweep
    assert agents_sweep()["offline"] == 0  # nothing audited twice
    assert AuditEntry.objects.filter(action="agent.state.session_ended").count() == 2


def _wrap_up(agent: Agent, seconds_ago: int) -> None:
    Agent.objects.filter(pk=agent.pk).update(
        state=Agent.State.WRAP_UP, state_since=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_sweep_sets_an_overrun_wrap_up_ready_only_in_auto_ready_groups(account):
    auto = AgentGroup.objects.create(name="Auto", wrap_up_limit_seconds=60, auto_ready=True)
    manual = AgentGroup.objects.create(name="Manual", wrap_up_limit_seconds=60)
    overrun, inside, no_auto = (factories.make_agent(account) for _ in range(3))
    Agent.objects.filter(pk__in=[overrun.pk, inside.pk]).update(group=auto)
    Agent.objects.filter(pk=no_auto.pk).update(group=manual)
    for a in (overrun, inside, no_auto):
        _login(a)
    _wrap_up(overrun, 61)
    _wrap_up(inside, 30)
    _wrap_up(no_auto, 600)
    assert agents_sweep() == {"ready": 1, "offline": 0}
    states = dict(Agent.objects.values_list("pk", "state"))
    assert states[overrun.pk] == Agent.State.READY
    assert states[inside.pk] == states[no_auto.pk] == Agent.State.WRAP_UP
    assert AuditEntry.objects.filter(action="agent.state.auto_ready").count() == 1


def test_wallboard_shows_offline_agents_and_an_overrun_wrap_up_in_red(client, supervisor, account):
    late, fresh, offline = (factories.make_agent(account) for _ in range(3))
    _wrap_up(late, 121)  # no group: the 2-minute default
    _wrap_up(fresh, 60)
    Agent.objects.filter(pk=offline.pk).update(state=Agent.State.OFFLINE)
    client.force_login(supervisor)
    body = client.get(reverse("telephony:wallboard")).content.decode()
    assert body.count('class="overdue"') == 1 and "over limit" in body
    assert body.count(">Offline</span>") == 1


def test_supervisor_sets_an_agent_offline_and_back_ready_from_the_wallboard(
    client, supervisor, agent
):
    _login(agent)
    client.force_login(supervisor)
    url = reverse("telephony:wallboard_agent_state", args=[agent.pk])
    resp = client.post(url, {"state": "offline"}, headers=HX)
    assert resp.status_code == 200 and 'id="wallboard"' in resp.content.decode()
    agent.refresh_from_db()
    assert agent.state == Agent.State.OFFLINE
    client.post(url, {"state": "ready"}, headers=HX)
    agent.refresh_from_db()
    assert agent.state == Agent.State.READY
    entries = AuditEntry.objects.filter(action="agent.state.supervisor", actor=supervisor)
    assert entries.count() == 2


@pytest.mark.parametrize(
    ("setup", "state", "message"),
    [
        ("no_session", "ready", "not logged in"),
        ("on_call", "offline", "is on a call"),
        ("any", "paused", "Ready or Offline"),
    ],
)
def test_supervisor_cannot_set_a_state_that_would_not_be_true(
    client, supervisor, agent, contact, setup, state, message
):
    Agent.objects.filter(pk=agent.pk).update(state=Agent.State.OFFLINE)
    if setup == "on_call":
        _login(agent)
        Call.objects.create(account=agent.extensions.get().account, agent=agent, status="ringing")
        Agent.objects.filter(pk=agent.pk).update(state=Agent.State.ON_CALL)
    client.force_login(supervisor)
    url = reverse("telephony:wallboard_agent_state", args=[agent.pk])
    before = Agent.objects.get(pk=agent.pk).state
    resp = client.post(url, {"state": state}, headers=HX)
    assert message in resp["HX-Trigger"]
    assert Agent.objects.get(pk=agent.pk).state == before


def test_agents_cannot_set_each_others_state(client, agent, account):
    other_agent = factories.make_agent(account)
    client.force_login(agent.user)
    url = reverse("telephony:wallboard_agent_state", args=[other_agent.pk])
    assert client.post(url, {"state": "offline"}).status_code == 404  # role_required hides it
    assert Agent.objects.get(pk=other_agent.pk).state == Agent.State.READY


def test_admins_manage_agent_groups_in_the_django_admin(client, agent):
    admin = factories.make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    resp = client.post(
        reverse("admin:telephony_agentgroup_add"),
        {"name": "Renewals team", "wrap_up_limit_seconds": 90, "auto_ready": "on"},
    )
    assert resp.status_code == 302
    group = AgentGroup.objects.get(name="Renewals team")
    assert group.auto_ready and group.wrap_up_limit_seconds == 90
    assert AuditEntry.objects.filter(object_type__icontains="agentgroup").exists()
