"""The contact form: who may add contacts, and the warning on a number already held."""

from __future__ import annotations

import pytest
from django.urls import reverse

from callcenter.models import AuditEntry
from contacts.models import Contact, ContactList
from tests import factories

pytestmark = pytest.mark.django_db


def test_agent_cannot_create_a_contact_404_like_other_staff_pages(client, agent):
    client.force_login(agent.user)
    assert client.get(reverse("contacts:create")).status_code == 404
    resp = client.post(reverse("contacts:create"), {"name": "Sneaky", "phone": "09876543210"})
    assert resp.status_code == 404
    assert not Contact.objects.exists()
    assert not AuditEntry.objects.filter(action="contact.create").exists()
    # ...and the list does not offer the button it would be refused.
    assert "Add contact" not in client.get(reverse("contacts:list")).content.decode()


def test_agent_still_edits_a_contact_they_may_call(client, agent):
    contact = factories.make_contact("+919876500011", name="Old", assigned_to=agent.user)
    client.force_login(agent.user)
    resp = client.post(
        reverse("contacts:edit", args=[contact.pk]), {"name": "New", "phone": contact.phone}
    )
    assert resp.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "New"


def test_add_contact_warns_on_an_existing_number_with_a_link_and_saves_nothing(client, supervisor):
    existing = factories.make_contact("+919876543210", name="Meera")
    existing.lists.add(ContactList.objects.create(name="Leads"))
    client.force_login(supervisor)
    resp = client.post(reverse("contacts:create"), {"name": "Meera K", "phone": "098765 43210"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert reverse("contacts:detail", args=[existing.pk]) in html and "Leads" in html
    assert Contact.objects.count() == 1
    # Ticking "Save anyway" is the explicit choice to keep a second contact.
    resp = client.post(
        reverse("contacts:create"),
        {"name": "Meera K", "phone": "098765 43210", "allow_duplicate": "on"},
    )
    assert resp.status_code == 302 and Contact.objects.filter(phone=existing.phone).count() == 2


def test_editing_a_contact_does_not_warn_about_itself(client, supervisor):
    contact = factories.make_contact("+919876543210", name="Meera")
    client.force_login(supervisor)
    resp = client.post(
        reverse("contacts:edit", args=[contact.pk]), {"name": "Meera", "phone": contact.phone}
    )
    assert resp.status_code == 302
