"""``pgadmin-py healthcheck``, the image's HEALTHCHECK: /healthz where ``serve`` listens (HOST, PORT)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pgadmin_py.cli import healthcheck
from pgadmin_py.core.settings import Settings


@contextmanager
def answering(status: int) -> Iterator[int]:
    """A server on a free loopback port whose /healthz answers ``status``; yields the port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1", "localhost"])
def test_healthy_when_healthz_answers_200_on_the_port(host: str) -> None:
    with answering(200) as port:
        assert healthcheck(Settings(host=host, port=port)) == 0


def test_unhealthy_on_an_error_status_or_nobody_listening() -> None:
    with answering(503) as port:
        assert healthcheck(Settings(host="0.0.0.0", port=port)) == 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    assert healthcheck(Settings(host="0.0.0.0", port=closed), timeout=1) == 1
