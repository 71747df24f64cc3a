"""What pages show is words, in the order things happened: never raw codes."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from telephony.models import Call, CallEvent
from tests import factories
from tests.campaigns.factories import make_campaign


def test_call_timeline_is_in_event_order_with_status_labels(supervisor_client, account, agent):
    call = Call.objects.create(account=account, call_type=Call.Type.CLICK_TO_CALL, agent=agent)
    queued_at = timezone.now()
    CallEvent.objects.create(call=call, at=queued_at, status="queued", source="app")
    # The provider's log row is stamped to the second, before our own queued event.
    CallEvent.objects.create(
        call=call, at=queued_at - timedelta(milliseconds=700), status="completed", source="sync"
    )
    CallEvent.objects.create(
        call=call, at=queued_at + timedelta(seconds=3), status="in_progress", source="webhook"
    )
    body = supervisor_client.get(reverse("telephony:call_detail", args=[call.pk])).content.decode()
    timeline = body[body.index('class="timeline"') :]
    order = [timeline.index(w) for w in (">Queued<", ">In progress<", ">Completed<")]
    assert order == sorted(order)
    assert "in_progress" not in timeline.replace("status-in_progress", "")


def test_campaign_health_shows_words_not_codes(supervisor_client):
    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(
        status=Campaign.Status.RUNNING, health_code="outside_window", health_detail="next 09:00"
    )
    body = supervisor_client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Outside the calling window" in body and "Outside_window" not in body


def test_accounts_show_the_providers_name_not_its_kind(admin_client, db):
    factories.make_account("ivrsolutions", name="Main line")
    for name in ("telephony:accounts", "telephony:wallboard"):
        body = admin_client.get(reverse(name)).content.decode()
        assert "IVR Solutions" in body and ">ivrsolutions<" not in body
