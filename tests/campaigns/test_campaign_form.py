"""The campaign form refuses what cannot work and says so before saving, all at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from tests import factories
from tests.campaigns.factories import make_campaign, make_list, phones

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, supervisor):
    client.force_login(supervisor)
    return client


def _data(account, **overrides) -> dict:
    did = factories.make_did(account)
    template = make_campaign(account=account).tts_template
    data = {
        "name": "Form test",
        "lists": [make_list(phones(2, suffix="0001")).pk],
        "account": account.pk,
        "did": did.pk,
        "content": "tts",
        "tts_template": template.pk,
        "execution": "local",
        "window_start": "10:00",
        "window_end": "19:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "time_zone_mode": "contact",
        "time_zone": "Asia/Kolkata",
        "number_of_retries": "2",
        "gap_between_retries": "60",
        "retry_on": ["busy"],
        "priority": "0",
        "no_of_call": "3",
    }
    data.update(overrides)
    return data


def _errors(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}


def test_a_gap_under_the_global_minimum_is_flagged_before_saving(staff_client, settings):
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 30
    account = factories.make_account()
    response = staff_client.post(
        reverse("campaigns:create"), _data(account, gap_between_retries="10, 60")
    )
    assert response.status_code == 200
    assert not Campaign.objects.filter(name="Form test").exists()
    page = response.content.decode()
    assert "Gaps under 30 minutes (10) will be stretched to 30" in page
    assert 'type="checkbox" name="accept_short_gaps"' in page  # the way to save anyway

    data = _data(account, gap_between_retries="10, 60", accept_short_gaps="on", name="Kept")
    response = staff_client.post(reverse("campaigns:create"), data)
    assert response.status_code == 302, _errors(response)
    assert Campaign.objects.get(name="Kept").gap_between_retries == [10, 60]


def test_the_minimum_is_named_on_the_empty_form(staff_client, settings):
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 45
    page = staff_client.get(reverse("campaigns:create")).content.decode()
    assert "at least 45 minutes apart" in page


def test_concurrency_past_window_and_start_are_refused_all_at_once(staff_client, settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    account = factories.make_account()
    account.concurrency_limit = 5
    account.save(update_fields=["concurrency_limit"])
    past = timezone.localtime() - timedelta(days=1)
    data = _data(
        account,
        no_of_call="6",
        window_start="21:30",
        window_end="23:00",
        schedule_at=past.strftime("%Y-%m-%dT%H:%M"),
    )
    response = staff_client.post(reverse("campaigns:create"), data)
    errors = _errors(response)
    assert "At most 5 concurrent calls" in errors["no_of_call"][0]
    assert "wholly outside the legal calling hours (09:00–21:00" in errors["window_start"][0]
    assert "is in the past" in errors["schedule_at"][0]
    assert not Campaign.objects.filter(name="Form test").exists()

    # Mended, it saves: a window that meets the legal hours at all is a narrowing of them.
    data.update(no_of_call="5", window_start="20:00", schedule_at="")
    response = staff_client.post(reverse("campaigns:create"), data)
    assert response.status_code == 302, _errors(response)

    # A start saved earlier that has since passed does not block an edit.
    campaign = Campaign.objects.get(name="Form test")
    Campaign.objects.filter(pk=campaign.pk).update(schedule_at=past)
    data["schedule_at"] = past.strftime("%Y-%m-%d %H:%M:%S")
    response = staff_client.post(reverse("campaigns:edit", args=[campaign.pk]), data)
    assert response.status_code == 302, _errors(response)
