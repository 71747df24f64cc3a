"""The campaign's opt-out key: a contact who presses it is never called again, anywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from campaigns.dialer.engine import engine_tick
from campaigns.models import CampaignEntry
from campaigns.services import campaign_start
from contacts.models import Contact, DNCEntry
from telephony.models import Call
from telephony.providers.base import CallStatus, CallUpdate
from telephony.services.callstate import call_apply_update
from tests import factories
from tests.campaigns.factories import make_campaign, make_list

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_pressing_the_optout_key_puts_the_number_on_dnc_and_opts_the_contact_out(open_hours):
    account = factories.make_account()
    contact_list = make_list(["+919876511111", "+919876522222"], order_id="ORD1")
    campaign = make_campaign(account=account, lists=[contact_list], optout_digit="9")
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
    entry = CampaignEntry.objects.get(campaign=campaign, phone="+919876511111")
    assert entry.state == CampaignEntry.State.DONE
    assert DNCEntry.objects.get(phone="+919876511111").source == "dtmf_optout"
    assert Contact.objects.get(phone="+919876511111").opted_out
    assert not DNCEntry.objects.filter(phone="+919876522222").exists()
