import subprocess
import sys

import pytest
from django.contrib.auth.models import Group

from callcenter.models import AuditEntry
from callcenter.services.audit import audit_log
from callcenter.services.roles import ROLE_PERMISSIONS, user_role
from tests import factories


def test_role_groups_exist_with_their_permissions(db):
    for role, grants in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        codes = set(group.permissions.values_list("codename", flat=True))
        expected = {f"{a}_{m.split('.')[1]}" for m, actions in grants.items() for a in actions}
        assert codes == expected
    agent_codes = set(
        Group.objects.get(name="agent").permissions.values_list("codename", flat=True)
    )
    assert "delete_contact" not in agent_codes and "change_provideraccount" not in agent_codes


def test_user_role_picks_the_highest_role(db):
    user = factories.make_user("agent")
    user.groups.add(Group.objects.get(name="supervisor"))
    assert user_role(factories.make_user("agent")) == "agent"
    assert user_role(user) == "supervisor"
    assert user_role(factories.make_user(None, is_superuser=True)) == "admin"
    assert user_role(factories.make_user(None)) is None


def test_audit_log_is_append_only(db):
    entry = audit_log(actor=None, action="test.action", summary="something happened")
    assert entry.actor_label == "system"
    entry.summary = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="x")
    assert AuditEntry.objects.get().summary == "something happened"


def test_audit_admin_is_read_only(db):
    from django.test import Client

    client = Client(raise_request_exception=False)
    admin = factories.make_user(None, is_staff=True, is_superuser=True)
    client.force_login(admin)
    entry = audit_log(actor=admin, action="test.action", summary="x")
    before = AuditEntry.objects.count()
    assert client.get(f"/admin/callcenter/auditentry/{entry.pk}/change/").status_code == 200
    resp = client.post(f"/admin/callcenter/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 403
    resp = client.post("/admin/callcenter/auditentry/add/", {"action": "forged", "summary": "f"})
    assert resp.status_code == 403
    resp = client.post(f"/admin/callcenter/auditentry/{entry.pk}/change/", {"summary": "forged"})
    assert resp.status_code == 403
    assert AuditEntry.objects.count() == before
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"


def test_production_settings_refuse_the_development_secret_key():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()",
        ],
        env={
            "DEBUG": "False",
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "callcenter.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=False" in result.stderr


def test_health_endpoint_answers(client, db):
    assert client.get("/health/").json() == {"ok": True}
