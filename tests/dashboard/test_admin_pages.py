from datetime import date, timedelta

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from callcenter.models import AuditEntry
from campaigns.models import TTSTemplate
from telephony.models import DID, Agent, Disposition, Extension
from telephony.services.agents import extensions_disable_expired
from tests import factories

HX = {"HX-Request": "true"}
STRONG = "Corr3ct-Horse-Battery"


def test_did_search_confirm_and_buy(admin_client, account):
    resp = admin_client.get(
        reverse("telephony:did_search"), {"account": account.pk, "region": "Delhi"}
    )
    offers = resp.context["results"]
    assert offers and "Buy…" in resp.content.decode()
    number = offers[0].number
    confirm = admin_client.get(
        reverse("telephony:did_buy"), {"account": account.pk, "number": number, "region": "Delhi"}
    )
    assert "500.00 per month" in confirm.content.decode()
    assert not DID.objects.filter(number=number).exists()  # a GET never buys
    bought = admin_client.post(
        reverse("telephony:did_buy"), {"account": account.pk, "number": number, "region": "Delhi"}
    )
    assert bought.status_code == 302
    did = DID.objects.get(number=number)
    assert did.monthly_cost == 500 and did.status == "active"
    assert AuditEntry.objects.filter(action="did.buy", object_id=str(did.pk)).exists()
    again = admin_client.get(
        reverse("telephony:did_search"), {"account": account.pk, "region": "Delhi"}
    )
    assert number not in [d.number for d in again.context["results"]]


def test_buying_a_number_not_offered_is_refused(admin_client, account):
    resp = admin_client.post(
        reverse("telephony:did_buy"), {"account": account.pk, "number": "+911100000000"}
    )
    assert resp.status_code == 302 and not DID.objects.filter(number="+911100000000").exists()


def test_assign_and_release_a_did(admin_client, account, agent):
    did = factories.make_did(account)
    ext = agent.extensions.get()
    resp = admin_client.post(
        reverse("telephony:did_assign", args=[did.pk]), {"extension": ext.pk}, headers=HX
    )
    assert f"ext {ext.number}" in resp.content.decode() and "<html" not in resp.content.decode()
    ext.refresh_from_db()
    assert ext.did == did
    resp = admin_client.post(reverse("telephony:did_release", args=[did.pk]), headers=HX)
    assert "released" in resp.headers["HX-Trigger"]
    ext.refresh_from_db()
    did.refresh_from_db()
    assert ext.did is None and did.status == "released"


def test_admin_creates_an_agent_with_extension_and_did(admin_client, account):
    did = factories.make_did(account)
    resp = admin_client.post(
        reverse("telephony:agent_new"),
        {
            "username": "nina",
            "full_name": "Nina Rao",
            "password": STRONG,
            "account": account.pk,
            "extension_number": "3101",
            "did": did.pk,
            "phone": "98100 00077",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    agent = Agent.objects.get(user__username="nina")
    ext = agent.extensions.get()
    assert (ext.number, ext.did, agent.phone) == ("3101", did, "+919810000077")
    assert agent.provider_agent_id == "sbx-agent-3101"
    assert agent.user.groups.filter(name="agent").exists() and agent.user.check_password(STRONG)


def test_agent_form_errors_are_inline(admin_client, account, agent):
    taken = agent.extensions.get().number
    resp = admin_client.post(
        reverse("telephony:agent_new"),
        {
            "username": agent.user.username,
            "full_name": "X",
            "password": "short",
            "account": account.pk,
            "extension_number": taken,
        },
    )
    body = resp.content.decode()
    assert resp.status_code == 200 and "is taken" in body
    assert User.objects.filter(username=agent.user.username).count() == 1


def test_disable_agent_and_extension_expiry(admin_client, agent):
    resp = admin_client.post(
        reverse("telephony:agent_toggle", args=[agent.pk]), {"enabled": "0"}, headers=HX
    )
    assert "Disabled" in resp.content.decode()
    agent.refresh_from_db()
    assert not agent.enabled and agent.state == "offline"
    assert not agent.extensions.get().enabled


def test_extension_expiry_and_did_change(admin_client, account, agent):
    ext = agent.extensions.get()
    new_did = factories.make_did(account)
    soon = timezone.localdate() + timedelta(days=3)
    resp = admin_client.post(
        reverse("telephony:extension_update", args=[ext.pk]),
        {"did": new_did.pk, "expires_on": soon.isoformat()},
        headers=HX,
    )
    assert "saved" in resp.headers["HX-Trigger"]
    ext.refresh_from_db()
    assert ext.did == new_did and ext.expires_on == soon
    past = admin_client.post(
        reverse("telephony:extension_update", args=[ext.pk]),
        {"did": new_did.pk, "expires_on": "2000-01-01"},
        headers=HX,
    )
    assert "in the past" in past.headers["HX-Trigger"]


def test_scheduled_task_disables_expired_extensions_once(agent):
    Extension.objects.filter(agent=agent).update(expires_on=date(2020, 1, 1))
    assert extensions_disable_expired() == 1
    assert extensions_disable_expired() == 0
    assert not agent.extensions.get().enabled
    assert AuditEntry.objects.filter(action="extension.expired").count() == 1
    from telephony.schedules import SCHEDULES

    assert "telephony.tasks.extensions_disable_expired" in {f for _, f, _ in SCHEDULES}


def test_agents_list_shows_state_and_todays_calls(admin_client, agent, contact):
    from telephony.services import call_click_to_call

    call_click_to_call(user=agent.user, contact=contact)
    resp = admin_client.get(reverse("telephony:agents"))
    row = next(a for a in resp.context["agents"] if a.pk == agent.pk)
    assert row.calls_today == 1 and "On a call" in resp.content.decode()


def test_dispositions_add_and_sync(admin_client, account):
    resp = admin_client.post(
        reverse("telephony:dispositions"),
        {"label": "Sale", "code": "sale", "active": "on", "sort_order": 5},
    )
    assert resp.status_code == 302 and Disposition.objects.filter(code="sale").exists()
    Disposition.objects.filter(code="wrong-number").delete()
    admin_client.post(reverse("telephony:disposition_sync", args=[account.pk]))
    assert Disposition.objects.filter(code="wrong-number").exists()
    assert AuditEntry.objects.filter(action="disposition.sync").exists()


def test_tts_template_preview_flags_unknown_variables(supervisor_client):
    factories.make_contact(name="Asha Sharma", variables={"order_id": "ORD7"})
    resp = supervisor_client.get(
        reverse("tts:preview"), {"text": "Hi {first_name}, order {order_id} {coupon}"}, headers=HX
    )
    body = resp.content.decode()
    assert "Hi Asha, order ORD7 {coupon}" in body and "<html" not in body
    assert "{coupon}" in body and "Unknown" in body


def test_tts_template_with_unknown_variable_is_not_saved(supervisor_client, account):
    factories.make_contact()
    resp = supervisor_client.post(
        reverse("tts:create"),
        {"name": "t1", "text": "Hello {nickname}", "language": "en-IN", "account": account.pk},
    )
    assert resp.status_code == 200 and "Unknown variables: {nickname}" in resp.content.decode()
    assert not TTSTemplate.objects.exists()


def test_tts_template_saved_and_synced_with_the_provider(supervisor_client, account):
    factories.make_contact()
    resp = supervisor_client.post(
        reverse("tts:create"),
        {"name": "welcome", "text": "Hello {name}", "language": "en-IN", "account": account.pk},
    )
    assert resp.status_code == 302
    template = TTSTemplate.objects.get()
    assert template.status == "approved" and template.provider_template_id == "sbx-tpl-welcome"
    supervisor_client.post(reverse("tts:refresh", args=[template.pk]))
    assert AuditEntry.objects.filter(action="tts_template.status").count() == 2


def test_audit_log_filters_and_is_read_only(admin_client, admin_user, supervisor):
    from callcenter.services.audit import audit_log

    audit_log(actor=supervisor, action="did.buy", summary="bought one")
    audit_log(actor=admin_user, action="agent.create", summary="made one")
    url = reverse("audit")
    by_user = admin_client.get(url, {"user": supervisor.username}, headers=HX).content.decode()
    assert "bought one" in by_user and "made one" not in by_user
    by_action = admin_client.get(url, {"action": "agent."}, headers=HX).content.decode()
    assert "made one" in by_action and "bought one" not in by_action
    today = timezone.localdate()
    future = admin_client.get(url, {"date_from": (today + timedelta(days=1)).isoformat()})
    assert "No entry matches" in future.content.decode()
    assert admin_client.post(url).status_code == 405  # nothing on this page writes
    assert AuditEntry.objects.filter(summary="bought one").count() == 1
