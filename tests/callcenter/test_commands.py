import os
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from callcenter.services import demo
from contacts.models import Contact
from telephony.models import Agent, ProviderAccount

ROOT = Path(__file__).resolve().parents[2]


def test_devserver_refuses_a_port_in_use_with_one_clear_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is in use"):
            call_command("devserver", "--port", str(port))


# A leader that exits on SIGTERM, and a worker in its group that ignores it (a qcluster
# worker finishing a long task).
_GROUP = """
import os, signal, sys, time
if os.fork() == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print(os.getpid(), flush=True)
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


def test_devserver_stop_ends_the_whole_group_promptly():
    import sys
    import time

    from callcenter.management.commands.devserver import _stop

    leader = subprocess.Popen(
        [sys.executable, "-c", _GROUP], start_new_session=True, stdout=subprocess.PIPE, text=True
    )
    worker = int(leader.stdout.readline())
    started = time.monotonic()
    assert _stop([leader], grace=0.5) is True
    assert time.monotonic() - started < 3
    time.sleep(0.2)
    assert not _running(worker)  # the worker is gone too, not left finishing for 30 s


def _running(pid: int) -> bool:
    try:  # a killed orphan may linger as a zombie until init reaps it: that is not running
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def test_find_python_fails_clearly_without_a_312_interpreter(tmp_path):
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts" / "find-python.sh")],
        env={"PATH": str(tmp_path), "PYENV_ROOT": str(tmp_path / "none"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: no Python >= 3.12 found")


def test_find_python_finds_a_pyenv_interpreter(tmp_path):
    fake = tmp_path / "pyenv" / "versions" / "3.12.9" / "bin"
    fake.mkdir(parents=True)
    python = fake / "python3"
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "scripts" / "find-python.sh")],
        env={"PATH": "/nonexistent", "PYENV_ROOT": str(tmp_path / "pyenv"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == str(python)


def test_seed_demo_is_idempotent(db, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo, "CREDENTIALS_FILE", tmp_path / "creds")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo data loaded" in out and "agent" in out
    counts = (Contact.objects.count(), Agent.objects.count(), ProviderAccount.objects.count())
    assert counts == (200, 3, 1)
    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert (
        Contact.objects.count(),
        Agent.objects.count(),
        ProviderAccount.objects.count(),
    ) == counts
    assert oct(os.stat(tmp_path / "creds").st_mode & 0o777) == "0o600"


def test_demo_agents_are_offline_until_they_log_in(db, tmp_path, monkeypatch, client):
    monkeypatch.setattr(demo, "CREDENTIALS_FILE", tmp_path / "creds")
    passwords = demo.demo_seed()
    assert set(Agent.objects.values_list("state", flat=True)) == {Agent.State.OFFLINE}
    assert client.login(username="agent", password=passwords["agent"])
    assert Agent.objects.get(user__username="agent").state == Agent.State.READY
    assert Agent.objects.get(user__username="agent2").state == Agent.State.OFFLINE
