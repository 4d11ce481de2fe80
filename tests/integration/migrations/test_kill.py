"""Whatever dies mid-migration, the lock lives exactly as long as the migration, and history tells the truth.

Real server processes (``python -m pgadmin_py serve``), real child processes, real PostgreSQL: the server is
killed with SIGKILL while the fixture ``sleepy`` migration sleeps inside its transaction.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import psycopg
import pytest
from mig_support import FIXTURES, project_env, text_of

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.runs import LOCK_KEY
from support.liveserver import Server


def ours(data_dir: Path) -> dict[int, str]:
    """pid -> command line of every process started for this test's data directory (their environment names
    it), the servers included."""
    found = {}
    marker = f"DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    return found


def lock_is_free(url: DatabaseUrl) -> bool:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        row = conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        if row and row[0]:
            conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
            return True
    return False


def run_sessions(url: DatabaseUrl) -> list[tuple[int, str, str]]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return [(r[0], r[1], r[2] or "") for r in conn.execute(
            "select pid, application_name, query from pg_stat_activity where datname = %s "
            "and application_name like 'pgadmin-py run %%'", (url.database,))]


def wait_for(condition, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def migrating(url: DatabaseUrl) -> bool:
    """A session of this database is executing the migration's pg_sleep (whatever its application_name)."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return bool(conn.execute(
            "select count(*) from pg_stat_activity where datname = %s and state = 'active' "
            "and query like %s and pid <> pg_backend_pid()", (url.database, "%pg_sleep(%")).fetchone()[0])


def run_status(server: Server, run_id: int) -> str:
    page = server.http.get(f"/migrations/runs/{run_id}").text
    status = re.search(r'data-testid="run-status">(.*?)</dd>', page, re.DOTALL)
    return text_of(status.group(1)).strip() if status else ""


def version(url: DatabaseUrl) -> list[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        if conn.execute("select to_regclass('alembic_version')").fetchone() == (None,):
            return []
        return [r[0] for r in conn.execute("select version_num from alembic_version")]


@pytest.mark.parametrize("mode", ["default", "MIGRATE_COMMAND"])
def test_server_killed_mid_migration(empty_db: DatabaseUrl, tmp_path: Path, mode: str) -> None:
    env = project_env("sleepy", empty_db, tmp_path, SLEEPY_SECONDS="45")
    if mode == "MIGRATE_COMMAND":  # the project's own wrapper: a process that is not ours
        env["MIGRATE_COMMAND"] = f"{sys.executable} -m alembic -c {FIXTURES / 'sleepy' / 'alembic.ini'}"
    first = Server(env, tmp_path / "first.log")
    try:
        started = first.post_form("/migrations/apply", {"action": "upgrade", "target": "heads", "backup": "off"})
        assert started.status_code == 303 and started.headers["location"].endswith("/migrations/runs/1")
        wait_for(lambda: migrating(empty_db), 30, "the migration's session to run pg_sleep")
        first.kill9()
    finally:
        first.stop()
    killed_at = time.monotonic()
    second = Server(env, tmp_path / "second.log")
    try:
        assert migrating(empty_db), "the migration ended before the second server was up: raise SLEEPY_SECONDS"
        refused = second.post_form("/migrations/apply", {"action": "upgrade", "target": "heads", "backup": "off"})
        assert refused.status_code == 409 and "holds the migration lock" in text_of(refused.text)
        page = text_of(second.http.get("/migrations/runs/1").text)
        assert "still running in another pgadmin-py process" in page and "interrupted" not in page
        assert run_status(second, 1) == "running"

        def children() -> dict[int, str]:
            return {pid: cmd for pid, cmd in ours(tmp_path).items()
                    if pid != second.process.pid and "guard.py" not in cmd}

        violations = []
        while children():  # the lock must be held for as long as the migration's process lives
            if lock_is_free(empty_db) and children():
                violations.append(time.monotonic() - killed_at)
            time.sleep(0.1)
        child_ended = time.monotonic()
        assert violations == [], f"the lock was free while the migration still ran, at {violations} s"
        wait_for(lambda: lock_is_free(empty_db), 15, "the guard to release the lock")
        deadline = time.monotonic() + 10  # the guard exits right after releasing the lock
        while (orphans := {p: c for p, c in ours(tmp_path).items() if p != second.process.pid}) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert orphans == {}, f"left running after the migration ended: {orphans}"
        assert not migrating(empty_db) and run_sessions(empty_db) == []
        wait_for(lambda: run_status(second, 1) == "succeeded", 15, "history to tell the truth")
        page = text_of(second.http.get("/migrations/runs/1").text)
        assert "the server stopped during this run; its guard held the lock until the migration ended" in page
        assert "Running upgrade -> s1000000slow" in page, page  # output the first server never saw
        assert "s1000000slow" in text_of(second.http.get("/migrations/runs").text)
        assert version(empty_db) == ["s1000000slow"]
        print(f"\nkill -9 mid-migration ({mode}): {len(orphans)} orphans once it ended, lock held until the child "
              f"ended ({child_ended - killed_at:.1f} s after the kill), history true")
    finally:
        second.stop()
    assert ours(tmp_path) == {}


def test_child_killed_alone_leaves_no_session_running(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    server = Server(project_env("sleepy", empty_db, tmp_path, SLEEPY_SECONDS="60"), tmp_path / "server.log")
    try:
        started = server.post_form("/migrations/apply", {"action": "upgrade", "target": "heads", "backup": "off"})
        assert started.status_code == 303
        wait_for(lambda: migrating(empty_db), 30, "the migration's session to run pg_sleep")
        (child,) = [pid for pid, cmd in ours(tmp_path).items() if "child.py" in cmd and "guard.py" not in cmd]
        os.kill(child, signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: run_status(server, 1) == "failed", 30, "the run to be recorded as failed")
        assert time.monotonic() - killed < 30  # not after the 60 s statement the dead child had left running
        assert not migrating(empty_db) and run_sessions(empty_db) == []  # its backend was terminated
        page = text_of(server.http.get("/migrations/runs/1").text)
        assert "killed by signal 9" in page and "its database session was terminated" in page
        assert version(empty_db) == [] and lock_is_free(empty_db)
        assert {p for p in ours(tmp_path) if p != server.process.pid} == set()  # no guard left either
    finally:
        server.stop()


def test_guard_killed_alone_takes_the_migration_with_it(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    server = Server(project_env("sleepy", empty_db, tmp_path, SLEEPY_SECONDS="60"), tmp_path / "server.log")
    try:
        started = server.post_form("/migrations/apply", {"action": "upgrade", "target": "heads", "backup": "off"})
        assert started.status_code == 303
        wait_for(lambda: migrating(empty_db), 30, "the migration's session to run pg_sleep")
        (guard,) = [pid for pid, cmd in ours(tmp_path).items() if "guard.py" in cmd]
        os.kill(guard, signal.SIGKILL)  # the lock goes with it: the migration must not run on without it
        wait_for(lambda: run_status(server, 1) == "failed", 30, "the run to be recorded as failed")
        wait_for(lambda: not migrating(empty_db), 10, "the migration's session to be terminated")
        assert {p for p in ours(tmp_path) if p != server.process.pid} == set()  # the child died with its guard
        page = text_of(server.http.get("/migrations/runs/1").text)
        assert "the guard process ended before the migration did" in page
        assert version(empty_db) == [] and lock_is_free(empty_db)
    finally:
        server.stop()


def test_a_rehearsal_left_running_by_a_dead_server_keeps_the_real_revision(empty_db: DatabaseUrl,
                                                                             tmp_path: Path) -> None:
    """A rehearsal ran on a copy: settled after its server died, it must not record the real database's
    revision as where it ended (before: it recorded whatever the version table held then, as a real run does)."""
    from pgadmin_py.migrations.history import RunHistory
    from pgadmin_py.migrations.reconcile import reconcile

    history = RunHistory(tmp_path / "runs.sqlite3")
    run_id = history.create("rehearsal", "rh02", "someone", ("aaa",), ("bbb",))
    notes = reconcile(history, empty_db, live=set(), current=lambda: ("ccc",))
    assert notes == {}
    record = history.get(run_id)
    assert record is not None
    assert record.status == "interrupted"
    assert record.to_revisions == ("aaa",)  # not ("ccc",): the copy moved, the real database did not
    assert record.error is not None and "the database was not touched" in record.error
