from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AuditEntry
from callcenter.services.errors import ServiceError
from contacts.models import DNCEntry
from telephony.models import Agent, Call, Disposition, SandboxEvent
from telephony.providers.base import AmbiguousOutcome, ProviderError
from telephony.providers.sandbox.adapter import SandboxProvider
from telephony.services import call_click_to_call, call_set_disposition
from telephony.services.recordings import recording_fetch
from tests import factories
from tests.telephony.helpers import deliver_all_events, deliver_next_event


def test_click_to_call_places_a_call_that_lives_through_the_inbox(agent, contact):
    contact.phone = "+919876500001"  # sandbox test number: always answered
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    call.refresh_from_db()
    assert call.status == "queued" and call.provider_call_id.startswith("sbx-")
    assert call.did_number == agent.extensions.get().did.number
    assert SandboxEvent.objects.count() == 3
    seen = []
    while deliver_next_event():
        call.refresh_from_db()
        seen.append(call.status)
    assert seen == ["ringing", "in_progress", "completed"]
    agent.refresh_from_db()
    assert agent.state == Agent.State.WRAP_UP
    assert {"call.click_to_call"} <= set(AuditEntry.objects.values_list("action", flat=True))


def test_completed_call_recording_is_copied_to_storage(agent, contact):
    contact.phone = "+919876500001"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    recording = recording_fetch(call_id=call.pk)
    assert recording.content_type == "audio/wav" and recording.size_bytes > 1000
    assert recording_fetch(call_id=call.pk).pk == recording.pk  # idempotent


def test_recording_on_a_foreign_host_is_not_fetched(agent, contact):
    call = Call.objects.create(
        account=agent.extensions.get().account,
        call_type=Call.Type.TTS,
        status="completed",
        recording_url="https://169.254.169.254/latest/meta-data",
    )
    with pytest.raises(ServiceError, match="not on the provider's own host"):
        recording_fetch(call_id=call.pk)


def test_disposition_and_note_are_saved_and_audited(agent, contact):
    contact.phone = "+919876500001"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    call.refresh_from_db()
    interested = Disposition.objects.get(code="interested")
    call_set_disposition(user=agent.user, call=call, disposition=interested, note=" Wants a demo ")
    call.refresh_from_db()
    assert call.disposition == interested and call.note == "Wants a demo"
    assert AuditEntry.objects.filter(action="call.disposition", object_id=str(call.pk)).exists()
    agent.refresh_from_db()
    assert agent.state == Agent.State.READY


def test_dnc_disposition_puts_the_number_on_the_dnc_list(agent, contact):
    contact.phone = "+919876500002"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    call.refresh_from_db()
    call_set_disposition(
        user=agent.user, call=call, disposition=Disposition.objects.get(code="dnd"), note=""
    )
    assert DNCEntry.objects.filter(phone=contact.phone, source="disposition").exists()


def test_disposition_before_the_call_ends_is_refused(agent, contact):
    call = call_click_to_call(user=agent.user, contact=contact)
    with pytest.raises(ServiceError, match="once the call has ended"):
        call_set_disposition(
            user=agent.user, call=call, disposition=Disposition.objects.first(), note=""
        )


def _refused(user, contact, match):
    before = Call.objects.count()
    with pytest.raises(ServiceError, match=match):
        call_click_to_call(user=user, contact=contact)
    assert Call.objects.count() == before


def test_user_without_agent_profile_cannot_call(contact, supervisor):
    _refused(supervisor, contact, "not set up as an agent")


@pytest.mark.parametrize(
    "ext_kwargs",
    [{"enabled": False}, {"did": None}, {"expires_on": "yesterday"}],
    ids=["disabled", "no-did", "expired"],
)
def test_agent_without_a_usable_extension_cannot_call(account, contact, ext_kwargs):
    if ext_kwargs.get("expires_on") == "yesterday":
        ext_kwargs = {"expires_on": timezone.localdate() - timedelta(days=1)}
    agent = factories.make_agent(account, **ext_kwargs)
    _refused(agent.user, contact, "no enabled extension with a DID")


def test_opted_out_contact_cannot_be_called(agent, contact):
    contact.opted_out = True
    contact.save()
    _refused(agent.user, contact, "opted out")


def test_dnc_number_cannot_be_called(agent, contact):
    DNCEntry.objects.create(phone=contact.phone)
    _refused(agent.user, contact, "do-not-call")


def test_agent_already_on_a_call_cannot_place_another(agent, contact):
    call_click_to_call(user=agent.user, contact=contact)
    _refused(agent.user, factories.make_contact("+919876500009"), "already on a call")


def test_disabled_account_refuses(agent, contact):
    account = agent.extensions.get().account
    account.enabled = False
    account.save()
    _refused(agent.user, contact, "disabled")


def test_timeout_while_placing_marks_the_call_unknown_and_never_redials(
    agent, contact, monkeypatch
):
    attempts = []

    def timeout(self, request):
        attempts.append(request)
        raise AmbiguousOutcome("IVR did not answer within 15 s")

    monkeypatch.setattr(SandboxProvider, "click_to_call", timeout)
    call = call_click_to_call(user=agent.user, contact=contact)
    call.refresh_from_db()
    assert call.status == "unknown" and len(attempts) == 1
    assert "did not answer" in call.error


def test_provider_refusal_fails_the_call_with_its_message(agent, contact, monkeypatch):
    def refuse(self, request):
        raise ProviderError("Sandbox rejected the API token", permanent=True)

    monkeypatch.setattr(SandboxProvider, "click_to_call", refuse)
    with pytest.raises(ServiceError, match="rejected the API token"):
        call_click_to_call(user=agent.user, contact=contact)
    assert Call.objects.get().status == "failed"
