"""A database that is not there yet, or restarts, gives a waiting page and then recovers by itself."""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from pgadmin_py.db.embedded import EmbeddedPostgres
from support.web import make_client

RECOVERY_ATTEMPTS = 2  # the monitor's checks after the server is back by which the app must answer again
HANG_GUARD_S = 180  # only against a monitor that stopped checking (never a measure of speed)
_ATTEMPT = re.compile(r"Attempt (\d+)")


@pytest.fixture
def own_server() -> Iterator[EmbeddedPostgres]:
    """A server this test may stop and start (never the shared one)."""
    root = Path(tempfile.mkdtemp(prefix="pgadmin-py-resilience-"))
    server = EmbeddedPostgres(root, fast=True)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_dashboard(client: TestClient[Any]) -> None:
    """Poll the dashboard until it answers again, by the monitor's own checks (the waiting page counts them):
    the app must recover within ``RECOVERY_ATTEMPTS`` checks of the server being back."""
    first: int | None = None
    guard = time.monotonic() + HANG_GUARD_S
    while (response := client.get("/")).status_code != 200:
        assert response.status_code == 503, response.status_code
        found = _ATTEMPT.search(response.text)
        assert found, "the waiting page shows no attempt number"
        attempt = int(found.group(1))
        first = attempt if first is None else first
        assert attempt <= first + RECOVERY_ATTEMPTS, f"still waiting after {attempt - first} checks of a live server"
        assert time.monotonic() < guard, "the monitor stopped checking"
        time.sleep(0.25)


def _assert_waiting_page(client: TestClient[Any]) -> None:
    response = client.get("/")
    assert response.status_code == 503
    assert "Waiting for the database" in response.text
    assert 'http-equiv="refresh"' in response.text
    assert "Traceback" not in response.text
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_starts_before_the_database_and_recovers(own_server: EmbeddedPostgres, tmp_path: Path) -> None:
    port = _free_port()
    env = {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/postgres", "DATA_DIR": str(tmp_path),
           "PROJECT_DIR": str(tmp_path)}
    with make_client(env) as client:
        _assert_waiting_page(client)
        assert "connection" in client.get("/").text.lower()  # says what is wrong
        own_server.start(port=port)
        _wait_for_dashboard(client)
        assert client.get("/readyz").status_code == 200


def test_survives_a_database_restart(own_server: EmbeddedPostgres, tmp_path: Path) -> None:
    url = own_server.start()
    env = {"DATABASE_URL": url.libpq(), "DATA_DIR": str(tmp_path), "PROJECT_DIR": str(tmp_path)}
    with make_client(env) as client:
        assert client.get("/").status_code == 200
        own_server.stop()
        _assert_waiting_page(client)
        own_server.start(port=url.port)
        _wait_for_dashboard(client)
