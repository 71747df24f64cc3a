"""Hosted campaigns whose create, push or start has an unknown outcome: the provider acted
but its answer could not be read. Nothing is sent again by itself; the provider's word (a
read) or an admin settles it. Over real HTTP against the IVR Solutions fake, whose text
dialers are created, filled and started in three requests."""

from __future__ import annotations

import pytest

from campaigns.dialer.engine import engine_tick
from campaigns.dialer.hosted import hosted_settle_create
from campaigns.models import Campaign
from campaigns.services.lifecycle import campaign_start
from telephony.models import Call
from tests import factories
from tests.integration.test_provider_campaigns import provider_campaign, run_until_complete

pytestmark = pytest.mark.usefixtures("reference_data")


def _start(campaign: Campaign) -> None:
    campaign_start(user=factories.make_user("supervisor"), campaign=campaign)


def test_an_unreadable_create_is_never_sent_again_until_an_admin_settles_it(live_server, settings):
    with provider_campaign("ivrsolutions", live_server, settings) as (fake, campaign):
        fake.inject("acted_garbage", path_contains="create_text_dialer")
        _start(campaign)
        for _ in range(3):
            engine_tick()
        campaign.refresh_from_db()
        assert campaign.hosted_doubt == "create" and not campaign.hosted_id
        assert "unknown outcome" in campaign.health_detail
        assert len(fake.requests_to("create_text_dialer")) == 1  # never sent again
        assert not fake.requests_to("add_to_ivrdialerbulk")

        # The admin finds the dialer in the provider's portal and gives its id.
        dialer_id = next(iter(fake.state.dialers)) if hasattr(fake, "state") else None
        assert dialer_id is not None
        hosted_settle_create(
            campaign=campaign, actor=factories.make_user("admin"), provider_id=str(dialer_id)
        )
        run_until_complete(fake, campaign)
        campaign.refresh_from_db()
        assert campaign.hosted_id == str(dialer_id) and not campaign.hosted_doubt
        assert campaign.status == Campaign.Status.COMPLETED
        assert len(fake.requests_to("create_text_dialer")) == 1


def test_a_create_settled_as_not_created_is_created_once_more(live_server, settings):
    with provider_campaign("ivrsolutions", live_server, settings) as (fake, campaign):
        fake.inject("garbage", path_contains="create_text_dialer")  # not carried out
        _start(campaign)
        engine_tick()
        campaign.refresh_from_db()
        assert campaign.hosted_doubt == "create"
        hosted_settle_create(campaign=campaign, actor=factories.make_user("admin"), provider_id="")
        run_until_complete(fake, campaign)
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.COMPLETED
        assert len(fake.requests_to("create_text_dialer")) == 2


def test_an_unreadable_push_marks_the_calls_unknown_and_is_not_pushed_again(live_server, settings):
    with provider_campaign("ivrsolutions", live_server, settings) as (fake, campaign):
        fake.inject("acted_garbage", path_contains="add_to_ivrdialerbulk")
        _start(campaign)
        engine_tick()
        calls = Call.objects.filter(campaignattempt__entry__campaign=campaign)
        assert calls.count() == 3
        assert set(calls.values_list("status", flat=True)) == {"unknown"}
        assert set(campaign.entries.values_list("state", flat=True)) == {"dialing"}
        run_until_complete(fake, campaign)
        campaign.refresh_from_db()
        # The numbers were with the provider all along: its results settle the entries.
        assert len(fake.requests_to("add_to_ivrdialerbulk")) == 1
        assert campaign.status == Campaign.Status.COMPLETED
        assert set(campaign.entries.values_list("outcome", flat=True)) == {"completed"}


def test_an_unreadable_start_is_settled_by_the_providers_status(live_server, settings):
    with provider_campaign("ivrsolutions", live_server, settings) as (fake, campaign):
        fake.inject("acted_garbage", path_contains="change_dialer_status")
        _start(campaign)
        engine_tick()
        campaign.refresh_from_db()
        assert campaign.hosted_doubt == "start"
        engine_tick()  # asks the provider: the dialer is on, so the start took effect
        campaign.refresh_from_db()
        assert not campaign.hosted_doubt and campaign.hosted_started
        assert len(fake.requests_to("change_dialer_status")) == 1
        run_until_complete(fake, campaign)
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.COMPLETED
