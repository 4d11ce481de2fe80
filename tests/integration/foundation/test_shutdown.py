"""Stopping the app stops everything it started: worker threads, thread pools and child processes."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env, make_client, make_state, with_sql

OUR_THREADS = ("models-probe", "models-drift", "pgadmin-py-sql-preview")


def _ours() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(OUR_THREADS)]


def _wait_for(condition, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} after {timeout} s"
        time.sleep(0.05)


def test_shutdown_stops_every_pool_and_thread(demo_env: dict[str, str]) -> None:
    assert not _ours(), f"threads left by an earlier test: {_ours()}"
    with make_client(demo_env) as client:
        assert client.get("/models").status_code == 200  # the drift comparison's pool
        page = with_sql(client, "/migrations/plan?action=upgrade&target=heads")  # the SQL previews' pool
        assert "CREATE INDEX ix_payments_created_at" in re.sub(r"<[^>]+>", "", page)  # rendered by a child
        assert any(name.startswith("models-drift") for name in _ours())
        assert any(name.startswith("pgadmin-py-sql-preview") for name in _ours())
    _wait_for(lambda: not _ours(), f"threads still alive after shutdown: {_ours()}", timeout=10)


def test_shutdown_ends_a_child_process_still_running(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    hanging = tmp_path / "hanging-python"  # a "project interpreter" whose models probe never answers
    hanging.write_text("#!/bin/sh\nexec sleep 300\n")
    hanging.chmod(0o755)
    env = demo_env(demo_db, tmp_path, ALEMBIC_PYTHON=str(hanging))
    state = make_state(env)
    with make_client(env, state):
        _wait_for(lambda: state.children.running == 1, "the models probe did not start")
        (pid,) = state.children.pids()
        assert Path(f"/proc/{pid}").exists()
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10  # not the probe's timeout
    assert state.children.running == 0
    assert not Path(f"/proc/{pid}").exists(), "the probe's child outlived the app"
    _wait_for(lambda: not _ours(), f"threads still alive after shutdown: {_ours()}", timeout=10)
