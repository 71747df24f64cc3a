from django.urls import reverse

from callcenter.models import AuditEntry
from contacts.models import ContactList, DNCEntry
from tests import factories


def test_sms_is_sent_through_a_capable_account_and_audited(client, agent, contact, account):
    client.force_login(agent.user)
    resp = client.post(
        reverse("telephony:contact_sms", args=[contact.pk]), {"account": account.pk, "text": "Hi"}
    )
    assert resp.status_code == 302
    entry = AuditEntry.objects.get(action="sms.send")
    assert entry.data["provider_message_id"].startswith("sbx-sms-")


def test_sms_to_an_opted_out_contact_is_refused(client, agent, contact, account):
    contact.opted_out = True
    contact.save()
    client.force_login(agent.user)
    resp = client.post(
        reverse("telephony:contact_sms", args=[contact.pk]),
        {"account": account.pk, "text": "Hi"},
        follow=True,
    )
    assert "opted out" in resp.content.decode()
    assert not AuditEntry.objects.filter(action="sms.send").exists()


def test_contact_page_lists_sms_accounts_and_explains_the_others(client, agent, contact, account):
    ivr = factories.make_account("ivrsolutions", name="IVR")
    client.force_login(agent.user)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert f'<option value="{account.pk}">{account.name}</option>' in html
    from django.utils.html import escape

    from telephony.providers.base import Capability
    from telephony.providers.registry import provider_class

    reason = provider_class("ivrsolutions").missing_reason(Capability.SMS)
    assert f"<strong>IVR</strong>: {escape(reason)}" in html
    assert f'<option value="{ivr.pk}">' not in html


def test_contact_is_added_to_a_list_and_marked_dnc(client, supervisor, contact):
    renewals = ContactList.objects.create(name="Renewals")
    client.force_login(supervisor)
    client.post(reverse("contacts:add_to_list", args=[contact.pk]), {"list": renewals.pk})
    assert contact.lists.filter(pk=renewals.pk).exists()
    client.post(reverse("contacts:mark_dnc", args=[contact.pk]))
    assert DNCEntry.objects.filter(phone=contact.phone).exists()
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert 'data-testid="on-dnc"' in html


def test_agent_cannot_act_on_another_agents_contact(client, agent):
    other = factories.make_user("agent")
    theirs = factories.make_contact("+919876500077", assigned_to=other)
    client.force_login(agent.user)
    assert client.post(reverse("contacts:mark_dnc", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("telephony:contact_sms", args=[theirs.pk]), {"text": "x"}).status_code
        == 404
    )
    assert not DNCEntry.objects.exists()
