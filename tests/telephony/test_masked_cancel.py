"""Cancelling a masked session hangs its live call up where the provider can."""

import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from callcenter.services.errors import ServiceError
from telephony.models import Call, MaskedSession, SandboxEvent
from telephony.providers.base import CapabilityMissing, ProviderUnavailable
from telephony.providers.sandbox.adapter import SandboxProvider
from telephony.services.accounts import account_create
from telephony.services.masked import masked_session_cancel, masked_session_start
from tests import factories
from tests.fakes.ivrsolutions import IVRSolutionsFake
from tests.telephony.helpers import deliver_all_events, deliver_next_event

HX = {"HX-Request": "true"}


def _session(user, account, did_number=None):
    did = factories.make_did(account, did_number)
    return masked_session_start(
        user=user, did=did, party_a="+919876500001", party_b="+919876500011", minutes=30
    )


def test_cancel_hangs_up_the_live_sandbox_call_and_nothing_more_arrives(supervisor, account):
    session = _session(supervisor, account)
    deliver_next_event()  # ringing
    call = Call.objects.get()
    assert call.status == "ringing"
    result = masked_session_cancel(user=supervisor, session=session)
    call.refresh_from_db()
    assert call.status == "canceled" and call.ended_at is not None
    assert result.calls_ended == 1 and "hung up" in result.message
    assert not SandboxEvent.objects.filter(delivered_at__isnull=True).exists()
    assert deliver_all_events() == 0
    assert list(call.events.order_by("id").values_list("status", flat=True))[-1] == "canceled"
    assert "hung up 1 live call" in AuditEntry.objects.get(action="masked.cancel").summary


def test_cancel_hangs_up_the_call_at_ivr_solutions(supervisor, db):
    fake = IVRSolutionsFake().start()
    try:
        account = account_create(
            actor=None,
            kind="ivrsolutions",
            name="IVR",
            base_url=fake.url,
            credentials={"api_token": fake.api_token},
        )
        session = _session(supervisor, account, "+911143104567")
        assert [c for c in fake.state.calls.values() if c.ended_at is None]
        masked_session_cancel(user=supervisor, session=session)
        assert len(fake.requests_to("click_connect_update")) == 1
        assert not [c for c in fake.state.calls.values() if c.ended_at is None]
        assert Call.objects.get().status == "canceled"
    finally:
        fake.stop()


def test_cancel_says_plainly_when_the_provider_cannot_hang_up(
    supervisor, client, account, monkeypatch
):
    def cannot(self, **kwargs):
        raise CapabilityMissing("this provider offers no way to end a live masked call")

    monkeypatch.setattr(SandboxProvider, "cancel_masked_call", cannot)
    session = _session(supervisor, account)
    client.force_login(supervisor)
    supervisor_client = client
    resp = supervisor_client.post(reverse("telephony:masked_cancel", args=[session.pk]), headers=HX)
    trigger = resp["HX-Trigger"]
    assert "cannot hang up a live masked call" in trigger and "goes on" in trigger
    assert "warning" in trigger
    assert MaskedSession.objects.get().status == "canceled"
    assert Call.objects.get().is_active  # the truth: the call is still up
    page = supervisor_client.get(reverse("telephony:masked_detail", args=[session.pk]))
    assert 'data-testid="still-live"' in page.content.decode()


def test_a_refused_cancel_keeps_the_session_and_says_the_call_is_live(
    supervisor, account, monkeypatch
):
    def down(self, **kwargs):
        raise ProviderUnavailable("503 from the provider")

    monkeypatch.setattr(SandboxProvider, "cancel_masked_call", down)
    session = _session(supervisor, account)
    with pytest.raises(ServiceError, match="still live"):
        masked_session_cancel(user=supervisor, session=session)
    assert MaskedSession.objects.get().status == "active"
    assert Call.objects.get().is_active
