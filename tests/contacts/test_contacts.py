import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from common.phones import InvalidPhoneNumber, normalize_phone, phone_time_zone
from contacts.models import Contact
from tests import factories


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("09876543210", "+919876543210"),
        ("+91 98765 43210", "+919876543210"),
        ("0091-98765-43210", "+919876543210"),
        ("98765 43210", "+919876543210"),
    ],
)
def test_numbers_are_normalised_to_e164(raw, expected):
    assert normalize_phone(raw, region="IN") == expected


@pytest.mark.parametrize("raw", ["", "12345", "abc", "+91 12345"])
def test_invalid_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw, region="IN")


def test_time_zone_is_inferred_from_the_number():
    assert phone_time_zone("+919876543210") == "Asia/Calcutta"
    assert phone_time_zone("+12125551234") == "America/New_York"


def test_invalid_phone_gives_a_form_error_naming_the_field_and_saves_nothing(client, supervisor):
    client.force_login(supervisor)
    resp = client.post(reverse("contacts:create"), {"name": "Bad", "phone": "12345"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-field="phone"' in html and "Phone: " in html
    assert Contact.objects.count() == 0
    assert not AuditEntry.objects.filter(action="contact.create").exists()


def test_valid_contact_is_saved_normalised_with_time_zone_and_audit(client, supervisor):
    client.force_login(supervisor)
    resp = client.post(reverse("contacts:create"), {"name": "Ravi", "phone": "098765 43210"})
    contact = Contact.objects.get()
    assert resp.status_code == 302
    assert contact.phone == "+919876543210" and contact.time_zone == "Asia/Calcutta"
    assert AuditEntry.objects.filter(action="contact.create", object_id=str(contact.pk)).exists()


def test_unknown_time_zone_is_refused(client, supervisor):
    client.force_login(supervisor)
    resp = client.post(
        reverse("contacts:create"), {"phone": "09876543210", "time_zone": "Mars/Olympus"}
    )
    assert "not a known time zone" in resp.content.decode()
    assert Contact.objects.count() == 0


def test_search_matches_a_number_in_any_format(client, supervisor):
    factories.make_contact("+919876543210", name="Meera")
    factories.make_contact("+919812345678", name="Kiran")
    client.force_login(supervisor)
    for query in ("09876543210", "+91 98765-43210", "43210"):
        html = client.get(reverse("contacts:list"), {"q": query}).content.decode()
        assert "Meera" in html and "Kiran" not in html
    html = client.get(reverse("contacts:list"), {"q": "Kir"}).content.decode()
    assert "Kiran" in html and "Meera" not in html


def test_agent_sees_pool_and_own_contacts_only(client, agent):
    other = factories.make_user("agent")
    mine = factories.make_contact("+919876500011", name="Mine", assigned_to=agent.user)
    pool = factories.make_contact("+919876500012", name="Pool")
    theirs = factories.make_contact("+919876500013", name="Theirs", assigned_to=other)
    client.force_login(agent.user)
    assert client.get(reverse("contacts:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("contacts:detail", args=[pool.pk])).status_code == 200
    assert client.get(reverse("contacts:detail", args=[theirs.pk])).status_code == 404
    resp = client.post(reverse("telephony:call_contact", args=[theirs.pk]))
    assert resp.status_code == 404


def test_contact_list_queries_do_not_grow_with_rows(client, supervisor, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor)
    client.get(reverse("contacts:list"))  # session touch happens once, not per request
    counts = []
    for total in (5, 120):
        while Contact.objects.count() < total:
            n = Contact.objects.count()
            factories.make_contact(f"+9198765{n:05d}", name=f"C{n}")
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(reverse("contacts:list")).content.decode()
        counts.append(len(ctx))
        assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    assert counts[0] == counts[1]
    assert "Next" in html
    # Keyset pages (after the last id seen): 120 rows are three pages of 50.
    params = {}
    for _ in range(2):
        params = {
            "after": client.get(reverse("contacts:list"), params).context["page"]["next_cursor"]
        }
    html = client.get(reverse("contacts:list"), params).content.decode()
    assert "First page" in html and "Next" not in html
