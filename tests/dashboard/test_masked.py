from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from telephony.models import Call, MaskedSession
from telephony.services.masked import masked_sessions_expire
from tests import factories
from tests.telephony.helpers import deliver_all_events

HX = {"HX-Request": "true"}


def _start(client, did, a="98765 00001", b="+91 98765 00011", minutes=30):
    return client.post(
        reverse("telephony:masked"), {"did": did.pk, "party_a": a, "party_b": b, "minutes": minutes}
    )


def test_supervisor_starts_a_masked_session_that_places_a_call(supervisor_client, account):
    did = factories.make_did(account)
    resp = _start(supervisor_client, did)
    session = MaskedSession.objects.get()
    assert resp.status_code == 302 and resp.url == reverse(
        "telephony:masked_detail", args=[session.pk]
    )
    assert (session.party_a, session.party_b) == ("+919876500001", "+919876500011")
    call = Call.objects.get()
    assert call.masked_session == session and call.call_type == "masked" and call.provider_call_id
    deliver_all_events()
    fragment = supervisor_client.get(resp.url, headers=HX).content.decode()
    assert "<html" not in fragment and 'id="masked-live"' in fragment
    call.refresh_from_db()
    assert call.get_status_display() in fragment
    assert AuditEntry.objects.filter(action="masked.start", object_id=str(session.pk)).exists()


def test_invalid_numbers_are_shown_inline(supervisor_client, account):
    did = factories.make_did(account)
    resp = _start(supervisor_client, did, b="12")
    assert resp.status_code == 200 and "not a" in resp.content.decode()
    assert not MaskedSession.objects.exists()


def test_cancel_and_expiry(supervisor_client, supervisor, account):
    did = factories.make_did(account)
    _start(supervisor_client, did)
    _start(supervisor_client, did, b="+919876500012")
    first, second = MaskedSession.objects.order_by("pk")
    resp = supervisor_client.post(reverse("telephony:masked_cancel", args=[first.pk]), headers=HX)
    assert "Session canceled" in resp.headers["HX-Trigger"] and "Canceled" in resp.content.decode()
    MaskedSession.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert masked_sessions_expire() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("canceled", "expired")
    again = supervisor_client.post(reverse("telephony:masked_cancel", args=[second.pk]), headers=HX)
    assert "already expired" in again.headers["HX-Trigger"]


def test_session_list_shows_each_session_with_its_calls(supervisor_client, account):
    did = factories.make_did(account)
    _start(supervisor_client, did)
    body = supervisor_client.get(reverse("telephony:masked")).content.decode()
    call = Call.objects.get()
    assert "+919876500001 ↔ +919876500011" in body
    assert reverse("telephony:call_detail", args=[call.pk]) in body


def test_agents_cannot_use_masked_calls(agent_client, account):
    did = factories.make_did(account)
    assert agent_client.get(reverse("telephony:masked")).status_code == 404
    assert _start(agent_client, did).status_code == 404
    assert not MaskedSession.objects.exists()
