"""The Django admin writes nothing around the rules (issue 18.2/18.4, issue 17.12): calls are
read-only but for superusers, no editable field feeds a credentialed fetch, state fields are
read-only, the dashboard's validation runs, numbers are normalised, every write is audited,
and supervisors get a view-only admin."""

from datetime import time

import pytest
from django.contrib import admin
from django.test import RequestFactory

from callcenter.models import AuditEntry
from campaigns.models import Campaign
from contacts.models import Contact, DNCEntry
from telephony.models import Call
from tests import factories
from tests.campaigns.factories import make_campaign, make_list
from tests.security.conftest import make_call

URL = "https://api.outboundcalls.ai/v1/calls/c-1/recording"


@pytest.fixture
def supervisor_staff(db):
    return factories.make_user("supervisor", is_staff=True)


@pytest.fixture
def superuser(db):
    return factories.make_user(None, is_staff=True, is_superuser=True)


def _form_data(user, obj, **changes):
    """What the admin's change form would post back unchanged, with `changes` applied."""
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[type(obj)]
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(field.widget, "widgets"):  # a split date/time: one input per part
            parts = field.widget.decompress(value)
            data.update({f"{name}_{i}": str(p or "") for i, p in enumerate(parts)})
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        count = formset.model.objects.filter(**{formset.fk.name: obj}).count()
        data.update({f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count)})
    for name, value in changes.items():
        data[name] = value
    return {k: v for k, v in data.items() if v is not None}


def _change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def test_a_supervisor_cannot_change_a_call_in_the_admin(client, supervisor_staff):
    call = make_call(factories.make_account(), recording_url=URL, duration_seconds=30)
    client.force_login(supervisor_staff)
    assert client.get(_change_url(call)).status_code == 200  # view only
    response = client.post(_change_url(call), {"recording_url": "http://evil/x", "note": "x"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/telephony/call/{call.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    call.refresh_from_db()
    assert call.recording_url == URL and call.duration_seconds == 30


def test_not_even_a_superuser_edits_what_a_credentialed_fetch_uses(client, superuser):
    call = make_call(factories.make_account(), recording_url=URL, provider_call_id="c-1")
    client.force_login(superuser)
    data = _form_data(superuser, call, note="checked by hand")
    data.update(recording_url="http://127.0.0.2:9556/x", provider_call_id="../x", status="failed")
    response = client.post(_change_url(call), data)
    assert response.status_code == 302, response.content[:2000]
    call.refresh_from_db()
    assert call.note == "checked by hand"
    assert (call.recording_url, call.provider_call_id, call.status) == (URL, "c-1", "completed")


def test_every_admin_add_change_and_delete_is_audited(client, superuser):
    contact = factories.make_contact(phone="+919876500011")
    client.force_login(superuser)
    response = client.post(_change_url(contact), _form_data(superuser, contact, name="Asha S."))
    assert response.status_code == 302, response.content[:2000]
    response = client.post(
        "/admin/contacts/dncentry/add/", {"phone": "+919876500012", "source": "manual"}
    )
    assert response.status_code == 302, response.content[:2000]
    url = f"/admin/contacts/contact/{contact.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    admin_writes = AuditEntry.objects.filter(action__startswith="admin.")
    entries = list(admin_writes.order_by("id").values_list("action", "object_type"))
    assert entries == [
        ("admin.change", "contacts.contact"),
        ("admin.add", "contacts.dncentry"),
        ("admin.delete", "contacts.contact"),
    ]
    assert admin_writes.filter(actor=superuser).count() == 3


def test_a_bulk_delete_in_the_admin_writes_one_entry_per_row(client, superuser):
    a, b = (
        factories.make_contact(phone="+919876500021"),
        factories.make_contact(phone="+919876500022"),
    )
    client.force_login(superuser)
    response = client.post(
        "/admin/contacts/contact/",
        {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Contact.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert set(
        AuditEntry.objects.filter(action__startswith="admin.").values_list("action", "object_id")
    ) == {
        ("admin.delete", str(a.pk)),
        ("admin.delete", str(b.pk)),
    }


def test_a_dnc_number_typed_with_spaces_is_stored_e164(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/contacts/dncentry/add/", {"phone": "98765 43210", "source": "manual"}
    )
    assert response.status_code == 302, response.content[:2000]
    assert list(DNCEntry.objects.values_list("phone", flat=True)) == ["+919876543210"]
    response = client.post(
        "/admin/contacts/dncentry/add/", {"phone": "not a number", "source": "manual"}
    )
    assert response.status_code == 200 and DNCEntry.objects.count() == 1


def test_a_contact_number_is_normalised_in_the_admin(client, superuser):
    contact = factories.make_contact(phone="+919876500031")
    client.force_login(superuser)
    response = client.post(
        _change_url(contact), _form_data(superuser, contact, phone="98765 00032")
    )
    assert response.status_code == 302, response.content[:2000]
    contact.refresh_from_db()
    assert contact.phone == "+919876500032"


def test_the_admin_runs_the_campaign_forms_checks_and_keeps_status_read_only(client, superuser):
    campaign = make_campaign(lists=[make_list(["+919876500041"])])
    client.force_login(superuser)
    data = _form_data(superuser, campaign, window_start="20:00", window_end="08:00", no_of_call="0")
    data["status"] = "running"
    response = client.post(_change_url(campaign), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "window_end" in errors and "no_of_call" in errors  # both at once
    campaign.refresh_from_db()
    assert (campaign.window_start, campaign.no_of_call) == (time(0, 0), 5)
    # A valid edit saves, and the status still does not move through the admin.
    response = client.post(
        _change_url(campaign),
        {**data, "window_start": "10:00", "window_end": "18:00", "no_of_call": "3"},
    )
    assert response.status_code == 302, response.content[:3000]
    campaign.refresh_from_db()
    assert campaign.no_of_call == 3 and campaign.status == Campaign.Status.DRAFT


def test_supervisors_get_a_view_only_admin(client, supervisor_staff):
    contact = factories.make_contact(phone="+919876500051")
    campaign = make_campaign()
    client.force_login(supervisor_staff)
    assert client.get("/admin/contacts/contact/").status_code == 200
    assert client.get(_change_url(contact)).status_code == 200
    assert (
        client.post(_change_url(contact), {"name": "x", "phone": "+919876500052"}).status_code
        == 403
    )
    assert (
        client.post("/admin/contacts/dncentry/add/", {"phone": "+919876500053"}).status_code == 403
    )
    assert client.post(_change_url(campaign), {"status": "running"}).status_code == 403
    assert (
        client.post(f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Contact.objects.filter(pk=contact.pk, name="Asha Sharma").exists()
    assert not DNCEntry.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()
    assert Call.objects.count() == 0


def test_every_model_admin_is_audited():
    from callcenter.admin import AuditEntryAdmin
    from callcenter.web.admin import AuditedAdmin

    plain = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AuditedAdmin | AuditEntryAdmin)
    ]
    assert plain == []


@pytest.mark.parametrize("role", ["superuser", "supervisor"])
def test_every_admin_list_add_and_change_page_opens(client, db, role):
    user = (
        factories.make_user(None, is_staff=True, is_superuser=True)
        if role == "superuser"
        else factories.make_user("supervisor", is_staff=True)
    )
    client.force_login(user)
    make_call(factories.make_account())
    factories.make_contact(phone="+919876500071")
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(base)
        assert response.status_code in (200, 403), base
        assert client.get(base + "add/").status_code in (200, 403), base
        first = model.objects.order_by("pk").first()
        if first is not None and response.status_code == 200:
            assert client.get(f"{base}{first.pk}/change/").status_code in (200, 403), base


def test_a_password_set_in_the_admin_is_audited(client, superuser):
    user = factories.make_user("agent")
    client.force_login(superuser)
    url = f"/admin/auth/user/{user.pk}/password/"
    password = "a-Long-enough-pass-42"
    response = client.post(
        url, {"password1": password, "password2": password, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(action="admin.change", object_id=str(user.pk))
    assert entry.data == {"fields": ["password"]} and entry.actor == superuser
