"""Run the web server and the django-q2 worker together (what `make run` calls)."""

import signal
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run the development web server and the django-q2 worker (qcluster) together. "
        "Ctrl-C stops both. Refuses at once, with one line, when the port is in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")

    def handle(self, *args, host: str, port: int, **options):
        _check_port_free(host, port)
        manage = [sys.executable, "manage.py"]
        procs = [
            subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"]),
            subprocess.Popen([*manage, "qcluster"]),
        ]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"Call center running: open http://{shown}:{port}/"))
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.")
        signal.signal(signal.SIGTERM, lambda *_: _stop(procs))
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("Stopping…")
        finally:
            _stop(procs)
        if any(p.returncode not in (0, -signal.SIGINT, -signal.SIGTERM) for p in procs):
            raise CommandError("A process exited with an error; see its output above.")


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


def _stop(procs: list[subprocess.Popen]) -> None:
    # SIGTERM, not SIGINT: a shell started in the background ignores SIGINT, and so
    # would our children; both runserver and qcluster shut down cleanly on SIGTERM.
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
