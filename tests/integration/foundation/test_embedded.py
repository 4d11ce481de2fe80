"""Zero config: with no DATABASE_URL, an embedded PostgreSQL with the demo, kept between runs, stopped cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(project: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLALCHEMY_BASE", "ALEMBIC_CONFIG",
                                                            "PROJECT_DIR", "DATA_DIR", "HOST")}
    return subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"], cwd=project, text=True,
                            env={**env, "PORT": str(port), "XDG_DATA_HOME": str(project / "xdg-data")},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for(url: str, proc: subprocess.Popen[str], timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode())
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_embedded_demo_starts_keeps_data_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    proc = _serve(tmp_path, port)
    dashboard = _wait_for(f"http://127.0.0.1:{port}/", proc)
    assert "pgadmin_demo" in dashboard
    assert "Review 2 pending migrations" in dashboard
    pgdata = tmp_path / "xdg-data" / "pgadmin-py" / "postgres" / "pgdata"  # the platform's data directory
    assert (pgdata / "postmaster.pid").exists()
    assert not (tmp_path / ".pgadmin-py").exists(), "nothing written into the directory the server starts from"
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "[embedded]" in output
    assert not (pgdata / "postmaster.pid").exists(), "the embedded server must be stopped with the app"

    second = _serve(tmp_path, port)  # kept between runs: the same cluster, the demo not loaded again
    try:
        _wait_for(f"http://127.0.0.1:{port}/", second)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=60)
    assert "Creating the embedded PostgreSQL cluster" not in output
    assert "Loaded the demo project" not in output
    assert not (pgdata / "postmaster.pid").exists()
