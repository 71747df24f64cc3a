"""A contact's zones come from the number's country; a list default never overrides it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from campaigns.dialer.checks import DialChecks
from campaigns.models import Campaign, CampaignEntry
from common.phones import contact_zones, phone_time_zone
from contacts.models import Contact
from contacts.selectors.hours import contact_local_hours
from tests import factories

AU_MOBILE = "+61412345678"
# Tue 2026-12-01 22:21 in Sydney (AEDT, UTC+11) is 16:51 in Kolkata: inside 09:00-21:00
# there, far outside it in Sydney.
SYDNEY_2221 = datetime(2026, 12, 1, 11, 21, tzinfo=UTC)


def test_a_multi_zone_number_stores_no_list_default_zone():
    assert phone_time_zone(AU_MOBILE, fallback="Asia/Kolkata") == ""
    assert phone_time_zone("+61212345678", fallback="Asia/Kolkata") == "Australia/Sydney"
    assert phone_time_zone("+80012345678", fallback="Asia/Kolkata") == "Asia/Kolkata"


def test_the_numbers_country_wins_over_a_stored_foreign_zone():
    zones = contact_zones(AU_MOBILE, stored="Asia/Kolkata", fallback="Asia/Kolkata")
    assert "Asia/Kolkata" not in zones.zones and zones.ignored == "Asia/Kolkata"
    assert {"Australia/Sydney", "Australia/Perth", "Australia/Adelaide"} <= set(zones.zones)
    assert zones.describe() == (
        f"one of {len(zones.zones)} zones in Australia; calling only when all allow"
    )


def test_a_stored_zone_of_the_numbers_own_narrows_it():
    assert contact_zones(AU_MOBILE, stored="Australia/Perth").zones == ("Australia/Perth",)
    # An alias keeps the same clock: Asia/Kolkata for the plan's Asia/Calcutta.
    assert contact_zones("+919876543210", stored="Asia/Kolkata").zones == ("Asia/Kolkata",)


@pytest.mark.django_db
def test_australian_mobile_in_a_kolkata_list_is_not_dialed_at_2221_sydney(settings):
    settings.CAMPAIGN_COMPLIANCE_WINDOW_START = "09:00"
    settings.CAMPAIGN_COMPLIANCE_WINDOW_END = "21:00"
    settings.CAMPAIGN_MIN_RECALL_GAP_MINUTES = 0
    campaign = Campaign(
        pk=10**9, name="au", window_start=datetime.min.time(), window_end=datetime.min.time(),
        weekdays=list(range(7)), time_zone_mode="contact", time_zone="Asia/Kolkata",
        carry_over=True, started_at=SYDNEY_2221,
    )  # fmt: skip
    for stored in ("Asia/Kolkata", ""):  # an older import stored the default; a new one none
        contact = Contact(phone=AU_MOBILE, time_zone=stored)
        entry = CampaignEntry(campaign=campaign, contact=contact, phone=AU_MOBILE)
        verdict = DialChecks(campaign, [entry], SYDNEY_2221).verdict(entry, {})
        assert verdict[0] == "defer", (stored, verdict)
        opens = verdict[1]
        for zone in contact_zones(AU_MOBILE).zones:  # then every Australian zone allows
            local = opens.astimezone(ZoneInfo(zone)).time()
            assert local.hour >= 9 and local.hour < 21, (zone, local)
        hours = contact_local_hours(contact, at=SYDNEY_2221)
        assert not hours.legal and "22:21 (Australia/Sydney)" in hours.clock()


@pytest.mark.django_db
def test_the_contact_page_says_the_number_may_be_in_several_zones(client, agent):
    contact = factories.make_contact(AU_MOBILE, name="Bruce")
    Contact.objects.filter(pk=contact.pk).update(time_zone="Asia/Kolkata")
    client.force_login(agent.user)
    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "zones in Australia; calling only when all allow" in page
    assert "“Asia/Kolkata” on the contact is not a zone of this number" in page
    assert 'data-testid="local-time"' in page


@pytest.mark.parametrize(
    ("region", "name"),
    [("AU", "Australia"), ("US", "United States"), ("CI", "Côte d'Ivoire"), ("ZZ", "ZZ")],
)
def test_country_names_come_from_phonenumbers_locale_table(region, name):
    from common.phones import country_name

    assert country_name(region) == name


def test_the_geocoders_place_names_are_never_loaded():
    """phonenumbers' geocoder holds ~97 MB of place names: no process should pay for it."""
    import subprocess
    import sys

    code = (
        "import sys, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'callcenter.settings'); django.setup(); import common.phones as p; "
        "p.country_name('AU'); print('phonenumbers.geodata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
