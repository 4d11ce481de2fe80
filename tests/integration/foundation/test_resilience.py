"""A database that is not there yet, or restarts, gives a waiting page and then recovers by itself."""

from __future__ import annotations

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

RECOVERY_LIMIT_S = 30


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


def _wait_for_dashboard(client: TestClient[Any]) -> float:
    start = time.monotonic()
    while time.monotonic() - start < RECOVERY_LIMIT_S:
        if client.get("/").status_code == 200:
            return time.monotonic() - start
        time.sleep(0.25)
    pytest.fail(f"the app did not recover within {RECOVERY_LIMIT_S} s of the database coming back")


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
