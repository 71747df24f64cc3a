from django.urls import reverse

from contacts.models import Contact, ContactList
from tests import factories

HX = {"HX-Request": "true"}


def _names(client, params):
    resp = client.get(reverse("contacts:list"), params, headers=HX)
    return {c.name for c in resp.context["page"]["rows"]}, resp


def test_filters_by_list_opt_out_and_time_zone(supervisor_client):
    renewals = ContactList.objects.create(name="Renewals")
    a = factories.make_contact("+919876500001", name="A", time_zone="Asia/Kolkata")
    factories.make_contact("+919876500002", name="B", opted_out=True, time_zone="Asia/Kolkata")
    factories.make_contact("+14155550100", name="C", time_zone="America/Los_Angeles")
    a.lists.add(renewals)
    assert _names(supervisor_client, {"list": renewals.pk})[0] == {"A"}
    assert _names(supervisor_client, {"opted_out": "yes"})[0] == {"B"}
    assert _names(supervisor_client, {"opted_out": "no"})[0] == {"A", "C"}
    assert _names(supervisor_client, {"tz": "America/Los_Angeles"})[0] == {"C"}
    names, resp = _names(supervisor_client, {"tz": "Europe/Paris"})
    assert not names and "with these filters" in resp.content.decode()


def test_pages_continue_after_the_last_id_without_offset(supervisor_client):
    Contact.objects.bulk_create(
        Contact(phone=f"+9198765{i:05d}", name=f"N{i:03d}") for i in range(120)
    )
    seen, params = [], {"opted_out": "no"}
    while True:
        resp = supervisor_client.get(reverse("contacts:list"), params, headers=HX)
        page = resp.context["page"]
        seen += [c.name for c in page["rows"]]
        if not page["next_cursor"]:
            break
        assert f"after={page['next_cursor']}" in resp.content.decode()
        params = {"opted_out": "no", "after": page["next_cursor"]}
    assert len(seen) == 120 == len(set(seen))
