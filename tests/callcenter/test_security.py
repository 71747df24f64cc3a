import subprocess
import sys

from django.urls import reverse

from callcenter.models import AuditEntry
from tests import factories


def test_pages_send_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


def test_login_is_throttled_after_repeated_failures(client, db):
    user = factories.make_user("agent")
    for _ in range(5):
        resp = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
        assert resp.status_code == 200
    resp = client.post(reverse("login"), {"username": user.username, "password": "pw-Secret-123"})
    assert "Too many failed logins" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.login_failed").count() >= 5


def test_successful_login_is_audited(client, db):
    user = factories.make_user("agent")
    resp = client.post(reverse("login"), {"username": user.username, "password": "pw-Secret-123"})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", actor=user).exists()


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "callcenter.settings",
        "DEBUG": "False",
        "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
        "ALLOWED_HOSTS": "calls.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
