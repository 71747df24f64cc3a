"""Every way onto the DNC list goes through `dnc_add` and leaves one audit row saying why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from callcenter.models import AuditEntry
from campaigns.dialer.engine import engine_tick
from campaigns.services import campaign_start
from contacts.models import DNCEntry
from telephony.models import Call, Disposition, WebhookEvent
from telephony.providers.base import CallStatus, CallUpdate
from telephony.services import call_click_to_call, call_set_disposition
from telephony.services.callstate import call_apply_update, update_to_json
from telephony.services.inbox import event_apply
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.telephony.helpers import deliver_all_events


def _dnc_rows(phone: str) -> list[AuditEntry]:
    return [e for e in AuditEntry.objects.filter(action="dnc.add") if phone in e.data["numbers"]]


@pytest.mark.django_db
def test_provider_opt_out_writes_one_system_audit_row(account, contact):
    update = CallUpdate(
        provider_call_id="",
        status=CallStatus.UNKNOWN,
        event_type="contact.optout",
        to_number=contact.phone,
        dedupe_key="opt-1",
    )
    event = WebhookEvent.objects.create(
        account=account,
        dedupe_key="opt-1",
        event_type="contact.optout",
        body="{}",
        update=update_to_json(update),
    )
    assert event_apply(event.pk) == "applied"
    assert DNCEntry.objects.get(phone=contact.phone).source == "provider_optout"
    [row] = _dnc_rows(contact.phone)
    assert row.actor is None and row.actor_label == "system"
    assert f"opt-out via {account.name}" in row.summary


@pytest.mark.django_db
def test_dnd_disposition_writes_one_audit_row_naming_the_call(agent, contact):
    contact.phone = "+919876500002"
    contact.save()
    call = call_click_to_call(user=agent.user, contact=contact)
    deliver_all_events()
    call.refresh_from_db()
    dnd = Disposition.objects.get(code="dnd")
    call_set_disposition(user=agent.user, call=call, disposition=dnd, note="")
    assert DNCEntry.objects.get(phone=contact.phone).source == "disposition"
    [row] = _dnc_rows(contact.phone)
    assert row.actor == agent.user
    assert f"disposition {dnd.label} on call {call.pk}" in row.summary


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_opt_out_key_in_a_campaign_writes_one_system_audit_row(settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "00:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "24:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    settings.SANDBOX_SPEED = 0.01
    account = factories.make_account()
    campaign = make_campaign(
        account=account, lists=[make_list(["+919876511111"])], optout_digit="9"
    )
    campaign_start(user=factories.make_user("supervisor"), campaign=campaign)
    engine_tick(now=datetime.now(UTC))
    call = Call.objects.get(to_number="+919876511111")
    with transaction.atomic():
        call_apply_update(
            Call.objects.select_for_update().get(pk=call.pk),
            CallUpdate(
                provider_call_id=call.provider_call_id,
                status=CallStatus.COMPLETED,
                provider_status="completed",
                dtmf="9",
                duration_seconds=12,
            ),
            source="webhook",
        )
    assert DNCEntry.objects.get(phone="+919876511111").source == "dtmf_optout"
    [row] = _dnc_rows("+919876511111")
    assert row.actor is None and "campaign outcome" in row.summary
    assert campaign.name in row.summary
