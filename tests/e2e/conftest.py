"""E2E: real Chromium (Debian's package) driving the real server started as a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pgadmin_py.core.dburl import DatabaseUrl

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / ".pgadmin-py" / "screenshots"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        message = (f"Chromium not found at {CHROMIUM}: e2e tests need Debian's chromium "
                   "(apt-get install -y chromium) or CHROMIUM_PATH")
        if os.environ.get("CI"):
            pytest.fail(message)
        print(f"\n\n*** SKIPPING E2E: {message} ***\n", file=sys.stderr)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        full_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.process = subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"], env=full_env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {log_path.read_text()}")

    def output(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture
def live_server(demo_db: DatabaseUrl, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app (``python -m pgadmin_py serve``) on a fresh demo database."""
    from support.web import demo_env

    server = LiveServer(demo_env(demo_db, tmp_path), tmp_path / "server.log")
    yield server
    server.stop()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Any]:
    """Start the real app with a given environment (another project than the demo); stopped after the test."""
    started: list[LiveServer] = []

    def start(env: dict[str, str]) -> LiveServer:
        server = LiveServer(env, tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def db(demo_db: DatabaseUrl) -> Iterator[Any]:
    """The demo database, autocommit: what a test changes behind the page, and what it checks after."""
    from sqlalchemy import create_engine

    engine = create_engine(demo_db.sqlalchemy(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
