"""Shared worlds for the security suite: two agents, each with their own rows."""

import pytest
from django.core.files.base import ContentFile

from telephony.models import Call, Recording
from tests import factories


def make_call(account, *, agent=None, contact=None, **fields):
    fields.setdefault("status", "completed")
    fields.setdefault("call_type", Call.Type.CLICK_TO_CALL)
    return Call.objects.create(
        account=account,
        agent=agent,
        contact=contact,
        to_number=contact.phone if contact else "",
        **fields,
    )


def add_recording(call, content=b"RIFF-test-audio"):
    return Recording.objects.create(
        call=call,
        file=ContentFile(content, name=f"call-{call.pk}.wav"),
        content_type="audio/wav",
        size_bytes=len(content),
    )


@pytest.fixture
def agent_b(account):
    return factories.make_agent(account)


class LocalServer:
    """A loopback HTTP server that records every request it gets; `routes` maps a path to
    (status, headers, body)."""

    def __init__(self, routes=None, host="127.0.0.1"):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits: list[tuple[str, dict]] = []
        self.routes = routes or {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append((self.path, dict(self.headers)))
                status, headers, body = server.routes.get(self.path, (200, {}, b"audio"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return None

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    servers = []

    def start(routes=None, host="127.0.0.1"):
        servers.append(LocalServer(routes, host))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
