"""Guards while applying (issue 13, section 2): every connection of a run gets MIGRATION_LOCK_TIMEOUT, so an
ALTER blocked by another session fails fast and rolls back instead of stalling the application, and the run
names the session that held it up, whether Alembic runs in our child or through the project's own command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from mig_support import start_run, text_of, wait_run
from review_support import BASE, at_base, project_env

from pgadmin_py.core.dburl import DatabaseUrl

LOCK_TIMEOUT_S = 2
MARGIN_S = 12  # starting the guard and the child, importing Alembic, the run's bookkeeping (2 shared cores)


def columns(url: DatabaseUrl, table: str) -> set[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return {r[0] for r in conn.execute("select column_name::text from information_schema.columns "
                                           "where table_name = %s", (table,))}


def version(url: DatabaseUrl) -> list[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return [r[0] for r in conn.execute("select version_num from alembic_version")]


@pytest.mark.parametrize("runner", ["alembic", "MIGRATE_COMMAND"])
def test_blocked_alter_fails_within_lock_timeout_and_names_the_blocker(empty_db: DatabaseUrl, tmp_path: Path,
                                                                       runner: str) -> None:
    from support.web import make_client

    at_base(empty_db)
    extra = {"MIGRATION_LOCK_TIMEOUT": f"{LOCK_TIMEOUT_S}s"}
    if runner == "MIGRATE_COMMAND":
        extra["MIGRATE_COMMAND"] = "python manage.py db"
    with make_client(project_env(empty_db, tmp_path, **extra)) as client, \
            psycopg.connect(empty_db.libpq(), application_name="nightly-report") as blocker:
        blocker.execute("select count(*) from orders")  # an open transaction holding ACCESS SHARE on orders
        plan = text_of(client.get("/migrations/plan?action=upgrade&target=sf01").text)
        assert f"lock_timeout = {LOCK_TIMEOUT_S} s" in plan
        started = time.monotonic()
        run_id = start_run(client, "upgrade", "sf01", backup="off")  # ALTER TABLE orders ADD COLUMN note
        waited = lock_wait(empty_db)
        page = text_of(wait_run(client, run_id, timeout=60))
        elapsed = time.monotonic() - started
        pid = blocker.info.backend_pid
    print(f"\n[{runner}] the ALTER waited {waited:.2f} s for its lock; the run took {elapsed:.2f} s end to end")
    assert LOCK_TIMEOUT_S - 0.2 <= waited < LOCK_TIMEOUT_S + 1.0, waited
    assert "failed" in page, page[-3000:]
    assert LOCK_TIMEOUT_S <= elapsed < LOCK_TIMEOUT_S + MARGIN_S, elapsed
    assert f"lock_timeout ({LOCK_TIMEOUT_S} s, MIGRATION_LOCK_TIMEOUT) ran out" in page, page[-3000:]
    assert f"pid {pid}" in page and "nightly-report" in page and "idle in transaction" in page
    assert "ALTER TABLE orders ADD COLUMN note" in page  # the statement that waited
    # nothing changed: the revision's transaction rolled back
    assert version(empty_db) == [BASE] and "note" not in columns(empty_db, "orders")
    # and the run history says why, after the fact
    runs = text_of(client_history(tmp_path, empty_db, run_id))
    assert f"pid {pid}" in runs and "lock_timeout" in runs


def lock_wait(url: DatabaseUrl, table: str = "orders", limit: float = 60.0) -> float:
    """How long a session waited for a lock on ``table``, seen from outside (pg_locks, every 20 ms)."""
    query = ("select count(*) from pg_locks where not granted and relation = %s::regclass "
             "and database = (select oid from pg_database where datname = current_database())")
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        deadline = time.monotonic() + limit
        while not conn.execute(query, (table,)).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the run never waited for the lock"
            time.sleep(0.02)
        seen = time.monotonic()
        while conn.execute(query, (table,)).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the run is still waiting"
            time.sleep(0.02)
        return time.monotonic() - seen


def client_history(data: Path, url: DatabaseUrl, run_id: int) -> str:
    """The run's page from a new server process's point of view (the history file, not the live run)."""
    from support.web import make_client

    with make_client(project_env(url, data)) as fresh:
        return str(fresh.get(f"/migrations/runs/{run_id}").text)


def test_without_a_blocker_the_lock_timeout_changes_nothing(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    at_base(empty_db)
    with make_client(project_env(empty_db, tmp_path, MIGRATION_LOCK_TIMEOUT="2s")) as client:
        page = text_of(wait_run(client, start_run(client, "upgrade", "sf01", backup="off"), timeout=60))
    assert "succeeded" in page, page[-2000:]
    assert "note" in columns(empty_db, "orders")


def test_the_setting_reaches_every_connection_of_the_run(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    """PGOPTIONS, as libpq reads it: what a connection of the run's environment sees as its lock_timeout."""
    from pgadmin_py.core.settings import Settings
    from pgadmin_py.db.conninfo import parse_database_url
    from pgadmin_py.migrations.runner import RunnerConfig

    settings = Settings.from_env(project_env(empty_db, tmp_path, MIGRATION_LOCK_TIMEOUT="1500ms"),
                                 parse_url=parse_database_url)
    assert settings.migration_lock_timeout_ms == 1500
    config = RunnerConfig(Path("alembic.ini"), "alembic", tmp_path, empty_db, python=None,  # type: ignore[arg-type]
                          lock_timeout_ms=settings.migration_lock_timeout_ms)
    env = config.env()
    assert env["PGOPTIONS"].endswith("-c lock_timeout=1500")
    probe = ("import os, psycopg; c = psycopg.connect(os.environ['DATABASE_URL']); "
             "print(c.execute('show lock_timeout').fetchone()[0])")
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "1500ms"


def test_flask_migrate_runs_get_the_lock_timeout_too(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    """`flask db upgrade` (Flask-Migrate's own command, in the blog's own virtualenv, psycopg through libpq):
    PGOPTIONS reaches the connection Flask-SQLAlchemy opens, without touching the project's code."""
    from support.projects import copy_fixture
    from support.web import make_client

    project = copy_fixture("flask_migrate", tmp_path / "blog")
    env = {"DATABASE_URL": empty_db.libpq(), "PROJECT_DIR": str(project), "DATA_DIR": str(tmp_path / "data"),
           "MIGRATION_LOCK_TIMEOUT": f"{LOCK_TIMEOUT_S}s"}
    with make_client(env) as client:
        assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "7b4e5d6c9a12", backup="off"),
                                               timeout=120))
        with psycopg.connect(empty_db.libpq(), application_name="blog-admin") as blocker:
            blocker.execute("select count(*) from users")
            run_id = start_run(client, "upgrade", "heads", backup="off")  # ... ALTER TABLE users ADD COLUMN bio
            waited = lock_wait(empty_db, "users")
            page = text_of(wait_run(client, run_id, timeout=120))
            pid = blocker.info.backend_pid
    print(f"\n[Flask-Migrate] the ALTER waited {waited:.2f} s for its lock")
    assert "Flask-Migrate" in page and "failed" in page, page[-3000:]
    assert LOCK_TIMEOUT_S - 0.2 <= waited < LOCK_TIMEOUT_S + 1.0, waited
    assert f"pid {pid}" in page and "blog-admin" in page
    assert version(empty_db) == ["7b4e5d6c9a12"] and "bio" not in columns(empty_db, "users")
