"""Run the web server and the django-q2 worker together (what `make run` calls)."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from callcenter.services.leases import Lease

# How long qcluster may take to finish its tasks after Ctrl-C before it is killed.
GRACE_SECONDS = 3


class Command(BaseCommand):
    help = (
        "Run the development web server and the django-q2 worker (qcluster) together. "
        f"Ctrl-C stops both within {GRACE_SECONDS} s (a worker still busy then is killed and "
        "its leases released) and exits 0. Refuses at once, with one line, when the port is "
        "in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")

    def handle(self, *args, host: str, port: int, **options):
        _check_port_free(host, port)
        manage = [sys.executable, "manage.py"]
        # Each child in its own session: Ctrl-C reaches only this command, which stops
        # them in order (a terminal's SIGINT to every process left qcluster's workers
        # half-stopped and runserver exiting 1).
        procs = [
            subprocess.Popen(
                [*manage, "runserver", "--noreload", f"{host}:{port}"], start_new_session=True
            ),
            subprocess.Popen([*manage, "qcluster"], start_new_session=True),
        ]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"Call center running: open http://{shown}:{port}/"))
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.")
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.2)
        if stopping:
            self.stdout.write("Stopping the web server and the worker…")
        failed = [p for p in procs if p.poll() not in (None, 0)]
        killed = _stop(procs)
        if killed:
            # A task was cut short: its leases would hold the sandbox pump and the inbox
            # drainer back for up to 90 s after the next start. No other worker shares a
            # development database, so they are released now.
            _release_leases()
        if failed and not stopping:
            raise CommandError("A process exited with an error; see its output above.")
        self.stdout.write("Stopped.")


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"Port {port} on {host} is in use ({exc.strerror}); choose another, "
                f"e.g. PORT={port + 1} make run"
            ) from exc


def _stop(procs: list[subprocess.Popen], *, grace: float = GRACE_SECONDS) -> bool:
    """SIGTERM each child, then SIGKILL its whole process group (qcluster's workers
    included) after `grace`: a worker finishing a long task (the sandbox pump lingers up
    to a minute) must not keep the command alive. True if anything had to be killed."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + grace
    killed = False
    for p in procs:
        try:
            p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            killed = True
        # The group outlives its leader when workers are still finishing: end them too.
        try:
            os.killpg(p.pid, signal.SIGKILL)
            killed = True  # something of the group was still alive
        except ProcessLookupError:
            pass  # the whole group is already gone
        p.wait()
    return killed


def _release_leases() -> None:

    Lease.objects.all().delete()
