"""Log sync, reconciliation and disposition push through an IVR Solutions account against
its fake, whose placing answers (`logid`) and log rows (`recordid`) use two id spaces, as
the doc allows: one call is one Call, whatever ids each side uses."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from telephony.models import Call, Disposition, WebhookEvent
from telephony.providers.base import AmbiguousOutcome, ClickToCallRequest, MaskedCallRequest
from telephony.services.accounts import provider_for
from telephony.services.inbox import inbox_receive
from telephony.services.sync import (
    RECORD_ID_WAITING,
    reconcile_calls,
    sync_call_logs,
    sync_push_dispositions,
)
from tests import factories
from tests.providers.ivrsolutions_support import CUSTOMER, DID, make_account, sent, start_fake

pytestmark = pytest.mark.django_db

OTHER = "+919876543211"


@pytest.fixture
def fake():
    server = start_fake()
    # Calls placed ten minutes ago (past the reconciler's three) on our clock.
    server.clock = timezone.now() - timedelta(minutes=10)
    yield server
    server.stop()


@pytest.fixture
def account(fake):
    return make_account(fake)


def _place(fake, account, number=CUSTOMER, *, answered=True) -> Call:
    """A click-to-call placed as our service does; its webhooks go nowhere (lost)."""
    fake.force_outcome(number, "answered" if answered else "busy")
    placed = provider_for(account).click_to_call(ClickToCallRequest("2101", "", number, DID, "1"))
    call = Call.objects.create(
        account=account,
        provider_call_id=placed.provider_call_id,
        call_type=Call.Type.CLICK_TO_CALL,
        to_number=number,
        did_number=DID,
    )
    Call.objects.filter(pk=call.pk).update(created_at=fake.clock)
    return call


def _sync(account):
    return sync_call_logs(account=account, since=timezone.now() - timedelta(days=1))


def test_log_sync_makes_a_placed_call_and_its_log_row_one_call(fake, account):
    call = _place(fake, account)
    fake.advance(600)
    record = str(fake.calls[call.provider_call_id].recordid)
    assert record != call.provider_call_id  # two id spaces
    result = _sync(account)
    assert (result.created, result.updated) == (0, 1)
    assert Call.objects.filter(account=account).count() == 1
    call.refresh_from_db()
    assert (call.provider_record_id, call.status) == (record, "completed")
    assert call.duration_seconds and call.recording_url
    again = _sync(account)  # matched by its record id now: nothing new, nothing changed
    assert (again.created, again.updated) == (0, 0)
    assert Call.objects.filter(account=account).count() == 1


def test_a_call_made_elsewhere_is_still_imported_once(fake, account):
    _place(fake, account)
    Call.objects.all().delete()  # placed in the portal, say: we never knew it
    fake.advance(600)
    assert _sync(account).created == 1
    synced = Call.objects.get(account=account)
    assert synced.call_type == Call.Type.SYNCED
    assert synced.provider_call_id == synced.provider_record_id
    assert _sync(account).created == 0


def test_reconcile_finds_a_call_whose_webhooks_were_lost_in_the_logs(fake, account):
    call = _place(fake, account)
    fake.advance(600)
    result = reconcile_calls(account=account)
    call.refresh_from_db()
    assert result.updated == 1 and call.status == "completed"
    assert call.provider_record_id == str(fake.calls[call.provider_call_id].recordid)
    assert call.events.filter(source="sync").exists()
    assert not sent(fake, "get_call_status")  # no per-call lookup the doc does not give


def test_reconcile_never_guesses_between_two_calls_to_one_number(fake, account, caplog):
    first, second = _place(fake, account), _place(fake, account)
    fake.advance(600)
    with caplog.at_level("WARNING"):
        reconcile_calls(account=account)
    assert {c.status for c in Call.objects.filter(pk__in=[first.pk, second.pk])} == {"queued"}
    assert "never guessed" in caplog.text
    # Nor does the log sync make either row a third call.
    result = _sync(account)
    assert (result.created, Call.objects.count()) == (0, 2)


def _deliver(fake, account) -> None:
    """The fake's events, posted to our inbox as they came (unsigned: the URL token)."""
    for payload, _ in fake.webhooks_sent:
        body = json.dumps(payload).encode()
        inbox_receive(token=account.webhook_token, body=body, headers={}, inline=True)


def test_two_calls_to_one_number_are_told_apart_by_their_webhooks_record_ids(fake, account):
    first, second = _place(fake, account), _place(fake, account)
    fake.advance(600)
    _deliver(fake, account)  # each event names its call's logid and recordid
    result = _sync(account)
    assert (result.created, result.failed) == (0, 0)
    for call in (first, second):
        call.refresh_from_db()
        assert call.provider_record_id == str(fake.calls[call.provider_call_id].recordid)
    assert Call.objects.count() == 2


def test_reconcile_tells_two_calls_apart_by_their_numbers(fake, account):
    first, second = _place(fake, account), _place(fake, account, OTHER, answered=False)
    fake.advance(600)
    assert reconcile_calls(account=account).updated == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("completed", "busy")
    assert first.provider_record_id != second.provider_record_id


def test_a_row_for_another_number_is_not_the_call_even_inside_the_window(fake, account):
    call = _place(fake, account)
    Call.objects.filter(pk=call.pk).update(to_number=OTHER)  # we dialled someone else
    fake.advance(600)
    reconcile_calls(account=account)
    call.refresh_from_db()
    assert call.status == "queued" and not call.provider_record_id


def test_a_lost_placing_answer_is_settled_from_the_logs_with_its_webhooks(fake, account):
    """c2c_post timed out: the call is unknown with no id. Its webhooks arrived, waiting
    unmatched under the logid; the log row (recordid) is matched by number, and through
    the webhooks' record id the call takes the logid they name, so they apply."""
    provider = provider_for(account)
    fake.force_outcome(CUSTOMER, "answered")
    fake.inject("timeout", path_contains="c2c_post")
    provider.http.config = replace(provider.http.config, read_timeout=0.5)
    with pytest.raises(AmbiguousOutcome, match="did not answer"):
        provider.click_to_call(ClickToCallRequest("2101", "", CUSTOMER, DID, "1"))
    call = Call.objects.create(
        account=account, call_type=Call.Type.CLICK_TO_CALL, to_number=CUSTOMER, status="unknown"
    )
    Call.objects.filter(pk=call.pk).update(created_at=fake.clock)
    fake.advance(600)
    _deliver(fake, account)
    assert WebhookEvent.objects.filter(state="unmatched").count() == len(fake.webhooks_sent)
    assert _sync(account).created == 0
    call.refresh_from_db()
    (made,) = fake.calls.values()
    assert (call.provider_call_id, call.provider_record_id) == (str(made.logid), str(made.recordid))
    assert call.status == "completed"
    assert not WebhookEvent.objects.filter(state="unmatched").exists()
    assert len(sent(fake, "c2c_post")) == 1  # never redialed


def test_masked_calls_are_reconciled_from_click_connect_logs(fake, account):
    fake.force_outcome(CUSTOMER, "answered")
    placed = provider_for(account).masked_call(MaskedCallRequest(CUSTOMER, OTHER, DID, "2"))
    call = Call.objects.create(
        account=account,
        provider_call_id=placed.provider_call_id,
        call_type=Call.Type.MASKED,
        from_number=CUSTOMER,
        to_number=OTHER,
        did_number=DID,
    )
    Call.objects.filter(pk=call.pk).update(created_at=fake.clock)
    fake.advance(600)
    assert reconcile_calls(account=account).updated == 1
    call.refresh_from_db()
    assert call.status == "completed" and call.provider_record_id
    assert sent(fake, "click_connect_logs")


# -- dispositions -----------------------------------------------------------------------------
def _dispose(call: Call) -> None:
    code = Disposition.objects.create(code="3", label="Call Back Later")
    Call.objects.filter(pk=call.pk).update(disposition=code, note="Call Monday")


def test_a_disposition_waits_for_the_record_id_then_is_pushed_with_it(fake, account, client):
    call = _place(fake, account)
    fake.advance(600)
    Call.objects.filter(pk=call.pk).update(status="completed")
    _dispose(call)
    result = sync_push_dispositions(account=account)
    assert (result.updated, result.waiting, result.failed) == (0, 1, 0)
    call.refresh_from_db()
    assert call.disposition_push_error == RECORD_ID_WAITING
    assert call.disposition_push_attempts == 0  # waiting is not failing: it is not lost
    assert call.push_waits_for_record_id
    assert not sent(fake, "update_call_note")

    client.force_login(factories.make_user("supervisor"))
    page = client.get(reverse("telephony:call_detail", args=[call.pk])).content.decode()
    assert 'data-testid="record-id-pending"' in page and "Record id not known yet" in page

    _sync(account)  # the log row names the record id
    assert sync_push_dispositions(account=account).updated == 1
    (note,) = sent(fake, "update_call_note")
    made = fake.calls[call.provider_call_id]
    assert json.loads(note.body) == {
        "record_id": str(made.recordid),
        "call_status": 3,
        "call_type": "c2c",
        "call_remark": "Call Monday",
    }
    assert (made.disposition_id, made.note) == (3, "Call Monday")
    call.refresh_from_db()
    assert call.disposition_pushed_at and not call.push_waits_for_record_id


def test_our_disposition_is_pushed_under_the_providers_code_the_sync_mapped(fake, account):
    """The status list maps IVR Solutions' "Call Back Later" (id 3) onto our own "Call
    back later": a call disposed with ours is noted at the provider with its id."""
    from telephony.services.dispositions import dispositions_sync

    ours = Disposition.objects.get(code="callback")
    dispositions_sync(actor=None, account=account)
    ours.refresh_from_db()
    assert ours.code_for(account.pk) == "3"
    call = _place(fake, account)
    fake.advance(600)
    Call.objects.filter(pk=call.pk).update(status="completed", disposition=ours, note="Mon")
    _sync(account)
    assert sync_push_dispositions(account=account).updated == 1
    (note,) = sent(fake, "update_call_note")
    assert json.loads(note.body)["call_status"] == 3


def test_a_disposition_takes_the_record_id_from_the_calls_webhook(fake, account):
    call = _place(fake, account)
    fake.advance(600)
    _deliver(fake, account)
    call.refresh_from_db()
    assert call.status == "completed" and not call.provider_record_id
    _dispose(call)
    call.refresh_from_db()
    assert not call.push_waits_for_record_id  # the webhook named it
    assert sync_push_dispositions(account=account).updated == 1
    record = json.loads(sent(fake, "update_call_note")[0].body)["record_id"]
    assert record == str(fake.calls[call.provider_call_id].recordid)
    call.refresh_from_db()
    assert call.provider_record_id == record
