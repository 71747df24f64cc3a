import pytest
from django.urls import reverse

from telephony.models import Call, Disposition
from tests import factories
from tests.telephony.helpers import deliver_all_events


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


def _call_for(agent, contact, **kwargs):
    return Call.objects.create(
        account=agent.extensions.get().account,
        call_type=Call.Type.CLICK_TO_CALL,
        to_number=contact.phone,
        agent=agent,
        contact=contact,
        **kwargs,
    )


def test_agent_cannot_open_another_agents_call_by_id(agent_client, account, contact):
    other = factories.make_agent(account)
    theirs = _call_for(other, contact)
    assert agent_client.get(reverse("telephony:call_detail", args=[theirs.pk])).status_code == 404
    assert (
        agent_client.get(reverse("telephony:call_recording", args=[theirs.pk])).status_code == 404
    )
    resp = agent_client.post(
        reverse("telephony:call_disposition", args=[theirs.pk]),
        {"disposition": Disposition.objects.first().pk},
    )
    assert resp.status_code == 404


def test_agent_call_list_shows_only_their_calls(agent_client, agent, account, contact):
    mine = _call_for(agent, contact)
    theirs = _call_for(factories.make_agent(account), contact)
    page = agent_client.get(reverse("telephony:calls")).content.decode()
    assert reverse("telephony:call_detail", args=[mine.pk]) in page
    assert reverse("telephony:call_detail", args=[theirs.pk]) not in page


def test_supervisor_sees_every_call(client, supervisor, agent, contact):
    call = _call_for(agent, contact)
    client.force_login(supervisor)
    assert client.get(reverse("telephony:call_detail", args=[call.pk])).status_code == 200


def test_htmx_request_gets_only_the_live_fragment(agent_client, agent, contact):
    call = _call_for(agent, contact, status="ringing")
    url = reverse("telephony:call_detail", args=[call.pk])
    full = agent_client.get(url).content.decode()
    fragment = agent_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and "Timeline" in full
    assert "<html" not in fragment and "Timeline" not in fragment
    assert fragment.strip().startswith('<div id="call-panel"')
    assert 'hx-trigger="every 1s"' in fragment  # still live: keeps polling


def test_final_call_fragment_stops_polling_and_offers_disposition(agent_client, agent, contact):
    call = _call_for(agent, contact, status="completed")
    fragment = agent_client.get(
        reverse("telephony:call_detail", args=[call.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in fragment
    assert "Save disposition" in fragment


def test_call_button_over_htmx_returns_the_live_panel_and_a_toast(agent_client, contact):
    resp = agent_client.post(
        reverse("telephony:call_contact", args=[contact.pk]), headers={"HX-Request": "true"}
    )
    assert resp.status_code == 200
    assert "Calling" in resp.headers["HX-Trigger"]
    assert 'id="call-panel"' in resp.content.decode()
    assert Call.objects.count() == 1


def test_call_refusal_over_htmx_explains_and_places_nothing(agent_client, contact):
    contact.opted_out = True
    contact.save()
    resp = agent_client.post(
        reverse("telephony:call_contact", args=[contact.pk]), headers={"HX-Request": "true"}
    )
    assert "opted out" in resp.content.decode()
    assert "error" in resp.headers["HX-Trigger"]
    assert Call.objects.count() == 0


def test_call_button_without_javascript_redirects_to_the_call(agent_client, contact):
    resp = agent_client.post(reverse("telephony:call_contact", args=[contact.pk]))
    call = Call.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("telephony:call_detail", args=[call.pk])


def test_placing_a_call_needs_post(agent_client, contact):
    assert agent_client.get(reverse("telephony:call_contact", args=[contact.pk])).status_code == 405
    assert Call.objects.count() == 0


def test_csrf_is_enforced_on_htmx_posts(agent, contact):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent.user)
    resp = client.post(
        reverse("telephony:call_contact", args=[contact.pk]), headers={"HX-Request": "true"}
    )
    assert resp.status_code == 403
    assert Call.objects.count() == 0


def test_disposition_post_saves_and_returns_fragment(agent_client, agent, contact):
    contact.phone = "+919876500001"
    contact.save()
    agent_client.post(reverse("telephony:call_contact", args=[contact.pk]))
    deliver_all_events()
    call = Call.objects.get()
    resp = agent_client.post(
        reverse("telephony:call_disposition", args=[call.pk]),
        {"disposition": Disposition.objects.get(code="interested").pk, "note": "Call next week"},
        headers={"HX-Request": "true"},
    )
    assert "Interested" in resp.content.decode()
    call.refresh_from_db()
    assert call.note == "Call next week"


def test_recording_is_served_to_the_calls_agent(agent_client, agent, contact):
    from telephony.services.recordings import recording_fetch

    contact.phone = "+919876500001"
    contact.save()
    agent_client.post(reverse("telephony:call_contact", args=[contact.pk]))
    deliver_all_events()
    call = Call.objects.get()
    recording_fetch(call_id=call.pk)
    resp = agent_client.get(reverse("telephony:call_recording", args=[call.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "audio/wav"
    assert b"".join(resp.streaming_content)[:4] == b"RIFF"


def test_anonymous_users_are_sent_to_login(client, contact):
    resp = client.get(reverse("contacts:detail", args=[contact.pk]))
    assert resp.status_code == 302 and resp.url.startswith(reverse("login"))
