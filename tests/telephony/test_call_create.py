"""The one way a call we place starts: a queued row and one app event naming who placed it."""

from telephony.models import Call, CallEvent
from telephony.providers.base import CallStatus
from telephony.services.call_create import call_create, call_event_add
from telephony.services.masked import masked_session_start
from telephony.services.outbound import call_outbound_prepare
from tests import factories


def test_a_call_starts_queued_with_one_app_event(account, contact):
    did = factories.make_did(account)
    call = call_create(
        account=account,
        call_type=Call.Type.TTS,
        from_number=did.number,
        to_number=contact.phone,
        did=did,
        contact=contact,
        first_event="x" * 400,
    )
    call.refresh_from_db()
    assert call.status == CallStatus.QUEUED and call.did_number == did.number
    assert call.contact == contact and call.agent is None and call.initiated_by is None
    (event,) = call.events.all()
    assert event.status == CallStatus.QUEUED and event.source == CallEvent.Source.APP
    assert event.detail == "x" * 300  # the column's length, never a failed save


def test_a_call_without_a_did_has_no_did_number(account, contact):
    call = call_outbound_prepare(
        account=account, kind=Call.Type.TTS, to_number=contact.phone, detail="dialer"
    )
    assert call.did is None and call.did_number == "" and call.from_number == ""
    assert list(call.events.values_list("status", "source", "detail")) == [
        (CallStatus.QUEUED, CallEvent.Source.APP, "dialer")
    ]


def test_a_masked_call_starts_queued_with_who_placed_it_over_which_did(agent, supervisor):
    did = agent.extensions.first().did
    session = masked_session_start(
        user=supervisor, did=did, party_a="+919876500011", party_b="+919876500012"
    )
    masked = session.calls.get()
    first = masked.events.order_by("at", "id").first()
    assert (first.status, first.source) == (CallStatus.QUEUED, CallEvent.Source.APP)
    assert first.detail == f"Masked call by {supervisor.get_username()} over {did.number}"
    assert masked.initiated_by == supervisor and masked.did_number == did.number


def test_a_later_event_is_stamped_now_and_kept_short(account, contact):
    call = call_outbound_prepare(account=account, kind=Call.Type.TTS, to_number=contact.phone)
    event = call_event_add(
        call=call, status=CallStatus.FAILED, source=CallEvent.Source.SYNC, detail="y" * 301
    )
    assert event.at >= call.created_at and len(event.detail) == 300
    assert call.events.count() == 2
