"""Backups that cannot hit the wrong database, and credentials that never reach a command line.

Real PostgreSQL, real pg_dump / pg_restore / Alembic children: each backup records its server, database and
revision; restore is offered only over that database; a password in DATABASE_URL (``?password=``) is
never visible in any process's argv (what ``ps`` shows every user of the machine).
"""

from __future__ import annotations

import json
import shutil
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from mig_support import post_form, project_env, start_run, text_of, wait_run

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.conninfo import parse_database_url
from support.liveserver import Server


def q(url: DatabaseUrl, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return list(conn.execute(sql).fetchall())


@pytest.fixture
def other_db(pg_server: DatabaseUrl) -> Iterator[DatabaseUrl]:
    name = f"pgadmin_other_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.libpq(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    yield pg_server.with_database(name)
    with psycopg.connect(pg_server.libpq(), autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
        conn.execute(f'drop database if exists "{name}"')  # WITH (FORCE) is PostgreSQL 13+


def all_command_lines() -> dict[int, str]:
    lines = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return lines


def watch_until(seen: dict[int, str], secret: str, wanted: str, timeout: float = 60) -> None:
    """Sample every command line on the machine until one contains ``wanted``; record any with ``secret``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = all_command_lines()
        seen.update({pid: cmd for pid, cmd in lines.items() if secret in cmd})
        if any(wanted in cmd for cmd in lines.values()):
            return
        time.sleep(0.02)
    raise AssertionError(f"no process running {wanted} within {timeout} s")


def test_password_in_the_url_never_reaches_a_command_line(pg_server: DatabaseUrl, empty_db: DatabaseUrl,
                                                         tmp_path: Path) -> None:
    role, secret = f"pgadmin_pw_{uuid.uuid4().hex[:8]}", f"pw-{uuid.uuid4().hex}"
    with psycopg.connect(pg_server.libpq(), autocommit=True) as conn:
        conn.execute(f"create role {role} login superuser password '{secret}'")
    url = parse_database_url(f"postgresql://{role}@{empty_db.host}:{empty_db.port or 5432}/{empty_db.database}"
                            f"?password={secret}&connect_timeout=10")
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute("create table hold_me (id int)")
    server = Server(project_env("sleepy", url, tmp_path, SLEEPY_SECONDS="3"), tmp_path / "server.log")
    leaked: dict[int, str] = {}
    try:
        with psycopg.connect(empty_db.libpq()) as holder:  # pg_dump waits for this lock: time to look at it
            holder.execute("lock table hold_me in access exclusive mode")
            started = server.post_form("/migrations/apply", {"action": "upgrade", "target": "heads"})
            assert started.status_code == 303, started.text[-500:]
            watch_until(leaked, secret, "pg_dump")
            holder.rollback()
        assert leaked == {}, f"the password is on pg_dump's command line: {leaked}"
        watch_until(leaked, secret, "child.py")  # the Alembic child and its guard, while the migration sleeps
        assert leaked == {}, f"the password is on these command lines: {leaked}"
        deadline = time.monotonic() + 60
        while "succeeded" not in (page := text_of(server.http.get("/migrations/runs/1").text)):
            assert time.monotonic() < deadline, page
            time.sleep(0.2)
        name = next(p.name for p in (tmp_path / "backups").glob("*.dump"))
        confirm = f"{empty_db.database}@base"
        with psycopg.connect(empty_db.libpq()) as holder:  # pg_restore --clean waits for this one
            holder.execute("select * from hold_me")
            restored = server.post_form(f"/migrations/backups/{name}/restore", {"confirm": confirm},
                                        page=f"/migrations/backups/{name}/restore")
            assert restored.status_code == 303, text_of(restored.text)[-800:]
            watch_until(leaked, secret, "pg_restore")
            holder.rollback()
        for run_id in (1, 2):
            assert secret not in server.http.get(f"/migrations/runs/{run_id}").text
        assert secret not in server.http.get("/migrations/backups").text
    finally:
        server.stop()
        with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
            conn.execute(f"select pg_terminate_backend(pid) from pg_stat_activity where usename = '{role}'")
            conn.execute(f"drop owned by {role}")
            conn.execute(f"drop role {role}")
    assert leaked == {}, f"the password is on these command lines: {leaked}"
    assert secret not in (tmp_path / "server.log").read_text()


def test_a_backup_is_restored_only_over_its_own_database(empty_db: DatabaseUrl, other_db: DatabaseUrl,
                                                         tmp_path: Path, project_client: Any) -> None:
    shared = str(tmp_path / "shared-backups")  # one backup directory, two databases
    a = project_client("linear", BACKUP_DIR=shared, DATA_DIR=str(tmp_path / "a"))
    from support.web import make_client

    with make_client(project_env("linear", other_db, tmp_path / "b", BACKUP_DIR=shared, BACKUP_KEEP="1")) as b:
        assert "succeeded" in text_of(wait_run(a, start_run(a, "upgrade", "a1000000000a")))
        assert "succeeded" in text_of(wait_run(b, start_run(b, "upgrade", "a1000000000a")))
        a_backup = next(p for p in Path(shared).glob(f"{empty_db.database}-*.dump"))
        b_backup = next(p for p in Path(shared).glob(f"{other_db.database}-*.dump"))
        sidecar = json.loads(b_backup.with_suffix(".json").read_text())
        assert sidecar["database"] == other_db.database and sidecar["revisions"] == []
        assert sidecar["system_identifier"] == str(q(other_db, "select system_identifier from pg_control_system()")
                                                   [0][0])
        # private files in a private directory
        assert stat.S_IMODE(Path(shared).stat().st_mode) == 0o700
        for path in (a_backup, b_backup, b_backup.with_suffix(".json")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

        listing = text_of(b.get("/migrations/backups").text)
        assert b_backup.name in listing and a_backup.name not in listing
        assert "1 backup of other databases in this directory is not listed" in listing

        # the backup of database A, asked for on database B: refused, by name, and nothing changes
        page = b.get(f"/migrations/backups/{a_backup.name}/restore")
        assert page.status_code == 409
        assert f"is a backup of database '{empty_db.database}', and pgadmin-py is connected to " \
               f"'{other_db.database}'" in text_of(page.text)
        refused = post_form(b, f"/migrations/backups/{a_backup.name}/restore", {"confirm": f"{empty_db.database}@base"})
        assert refused.status_code == 409 and "This backup is of another database" in text_of(refused.text)
        assert q(other_db, "select version_num from alembic_version") == [("a1000000000a",)]

        # same database name, another server (its sidecar says so): refused too
        twin = b_backup.with_name("twin-from-elsewhere.dump")
        shutil.copy(b_backup, twin)
        twin.with_suffix(".json").write_text(json.dumps({**sidecar, "system_identifier": "1234567890"}))
        assert "on another PostgreSQL server" in text_of(b.get(f"/migrations/backups/{twin.name}/restore").text)

        # a backup with no sidecar (older pgadmin-py, copied by hand): source unknown, extra confirmation
        legacy = b_backup.with_name("legacy.dump")
        shutil.copy(b_backup, legacy)
        listing = text_of(b.get("/migrations/backups").text)
        assert "legacy.dump" in listing and "source unknown" in listing, listing[-1500:]
        page = text_of(b.get("/migrations/backups/legacy.dump/restore").text)
        assert "source unknown" in page and f"pg_dump wrote database {other_db.database} into it" in page
        assert f"Type {other_db.database} (the database" in page
        unticked = post_form(b, "/migrations/backups/legacy.dump/restore", {"confirm": other_db.database})
        assert unticked.status_code == 400 and "Nothing proves that legacy.dump was taken from this server" in \
            text_of(unticked.text)
        restored = post_form(b, "/migrations/backups/legacy.dump/restore",
                             {"confirm": other_db.database, "unknown_source": "on"})
        assert restored.status_code == 303
        run = text_of(wait_run(b, int(restored.headers["location"].rsplit("/", 1)[1])))
        assert "succeeded" in run and "safety backup of the current state" in run
        assert q(other_db, "select to_regclass('alembic_version')") == [(None,)]  # back at base

        # the safety backup is restorable in turn; BACKUP_KEEP=1 pruned B's older backup, not A's
        safety = text_of(b.get("/migrations/backups").text)
        assert "before restoring legacy.dump" in safety and "pruned 1 old backup(s)" in run
        assert a_backup.exists() and not b_backup.exists() and not b_backup.with_suffix(".json").exists()
        (safety_backup,) = Path(shared).glob(f"{other_db.database}-*.dump")
        back = post_form(b, f"/migrations/backups/{safety_backup.name}/restore",
                         {"confirm": f"{other_db.database}@a1000000000a"})
        assert back.status_code == 303
        run = text_of(wait_run(b, int(back.headers["location"].rsplit("/", 1)[1])))
        assert "succeeded" in run, run  # with BACKUP_KEEP=1 its own safety backup must not prune it
        assert q(other_db, "select version_num from alembic_version") == [("a1000000000a",)]
