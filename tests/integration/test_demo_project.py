"""The demo project end to end on a real PostgreSQL: prepare, migrate, compare, downgrade.

Alembic always runs in a child process here, as it does in the app, so these tests also
prove that ``env.py`` finds the models and the URL on its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from pgadmin_py.demo import bootstrap as demo
from pgadmin_py.demo.models import Base

SERVER_URL = os.environ.get("DEMO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HEAD = "b93e1f7c5a20"
PENDING = ["4c0d8a2e9f65", "b93e1f7c5a20"]
EXPECTED_ROWS = {
    "brokers": 20,
    "clients": 300,
    "tags": 10,
    "client_tags": 368,
    "accounts": 399,
    "instruments": 40,
    "operations": 5000,
    "payments": 2000,
}
ENUM_TYPES = {"instrument_kind", "operation_side", "payment_direction", "payment_status"}


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def scratch_db() -> Iterator[str]:
    """A brand-new empty database (``postgresql://`` URL), dropped after the test."""
    name = f"demo_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(SERVER_URL, name)
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alembic(
    url: str | None, *args: str, ini: Path = demo.ALEMBIC_INI, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if url is not None:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), *args],
        cwd=ini.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _scalar(url: str, sql: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        return None if row is None else row[0]


def _row_counts(url: str) -> dict[str, int]:
    return {table: int(str(_scalar(url, f"SELECT count(*) FROM {table}"))) for table in EXPECTED_ROWS}


def _version(url: str) -> object:
    return _scalar(url, "SELECT string_agg(version_num, ',') FROM alembic_version")


def _schema_diff(url: str) -> list[object]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(demo.ALEMBIC_INI)))


def test_prepare_brings_an_empty_database_to_the_seeded_revision(scratch_db: str) -> None:
    assert demo.prepare(scratch_db) is True

    assert _version(scratch_db) == demo.SEEDED_REVISION
    assert _row_counts(scratch_db) == EXPECTED_ROWS
    # The pending revisions really are pending: their column does not exist yet.
    assert _scalar(scratch_db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'notes'") == 0
    # Sequences were moved past the explicit ids, so the app can insert rows.
    new_id = _scalar(scratch_db, "INSERT INTO tags (name) VALUES ('watchlist') RETURNING id")
    assert new_id == EXPECTED_ROWS["tags"] + 1


def test_prepare_twice_leaves_the_database_alone(scratch_db: str) -> None:
    assert demo.prepare(scratch_db) is True
    fingerprint = (
        _version(scratch_db),
        _row_counts(scratch_db),
        _scalar(scratch_db, "SELECT sum(amount) FROM payments"),
        _scalar(scratch_db, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'operations'"),
    )

    assert demo.prepare(scratch_db) is False

    assert (
        _version(scratch_db),
        _row_counts(scratch_db),
        _scalar(scratch_db, "SELECT sum(amount) FROM payments"),
        _scalar(scratch_db, "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'operations'"),
    ) == fingerprint


def test_prepare_accepts_the_sqlalchemy_url_spelling(scratch_db: str) -> None:
    assert demo.prepare(scratch_db.replace("postgresql://", "postgresql+psycopg://", 1)) is True
    assert _version(scratch_db) == demo.SEEDED_REVISION


def test_prepare_reports_alembic_failures_with_its_stderr(scratch_db: str) -> None:
    with psycopg.connect(scratch_db) as conn:
        conn.execute("CREATE TABLE brokers (id int)")

    with pytest.raises(RuntimeError, match=r"(?s)alembic upgrade 7a6c0f9e3b18 failed.*already exists"):
        demo.prepare(scratch_db)


def test_upgrade_to_head_matches_the_models_and_keeps_the_data(scratch_db: str) -> None:
    demo.prepare(scratch_db)
    assert _schema_diff(scratch_db) != []  # the pending revisions are visible as drift

    _alembic(scratch_db, "upgrade", "head")

    assert _version(scratch_db) == HEAD
    assert _schema_diff(scratch_db) == []
    assert _row_counts(scratch_db) == EXPECTED_ROWS
    assert _alembic(scratch_db, "check").returncode == 0


def test_downgrade_to_base_removes_everything(scratch_db: str) -> None:
    demo.prepare(scratch_db)
    _alembic(scratch_db, "upgrade", "head")

    _alembic(scratch_db, "downgrade", "base")

    tables = _scalar(scratch_db, "SELECT array_agg(tablename::text) FROM pg_tables WHERE schemaname = 'public'")
    assert tables == ["alembic_version"]
    names = ", ".join(f"'{name}'" for name in sorted(ENUM_TYPES))
    assert _scalar(scratch_db, f"SELECT count(*) FROM pg_type WHERE typname IN ({names})") == 0


def test_every_revision_downgrades_one_step_at_a_time(scratch_db: str) -> None:
    _alembic(scratch_db, "upgrade", "head")
    for rev in _script().walk_revisions():  # newest first, each after all its descendants
        if rev.down_revision is None:
            target = "base"
        elif isinstance(rev.down_revision, str):
            target = f"{rev.revision}@-1"
        else:  # a merge: stepping back to one parent un-merges it, leaving both parents applied
            target = rev.down_revision[0]
        _alembic(scratch_db, "downgrade", target)
        assert rev.revision not in str(_version(scratch_db)), f"{rev.revision} was not downgraded"
    assert _version(scratch_db) is None
    # ... and the whole history still upgrades from scratch afterwards.
    _alembic(scratch_db, "upgrade", "head")
    assert _schema_diff(scratch_db) == []


def test_offline_mode_renders_sql_without_a_database() -> None:
    upgrade = _alembic(None, "upgrade", "head", "--sql").stdout
    assert "CREATE TYPE operation_side AS ENUM ('BUY', 'SELL')" in upgrade
    assert "CREATE TABLE operations" in upgrade
    assert "CREATE INDEX ix_payments_created_at ON payments (created_at)" in upgrade
    assert f"UPDATE alembic_version SET version_num='{HEAD}'" in upgrade

    downgrade = _alembic(None, "downgrade", f"{HEAD}:base", "--sql").stdout
    assert "DROP TABLE operations" in downgrade
    assert "DROP TYPE payment_status" in downgrade


def test_online_mode_without_database_url_says_so() -> None:
    result = _alembic(None, "upgrade", "head", check=False)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_revision_graph_has_one_branch_and_one_merge() -> None:
    revisions = list(_script().walk_revisions())
    assert len(revisions) >= 7
    assert len(_script().get_heads()) == 1
    branch_points = [rev.revision for rev in revisions if rev.is_branch_point]
    merges = [rev.revision for rev in revisions if rev.is_merge_point]
    assert len(branch_points) == 1
    assert merges == [demo.SEEDED_REVISION]
    for rev in revisions:
        assert rev.doc, rev.revision
        assert "Create Date:" in (rev.module.__doc__ or ""), rev.revision


def test_the_two_pending_revisions_follow_the_seeded_one_linearly() -> None:
    script = _script()
    (current,) = script.get_heads()
    pending: list[str] = []
    while current != demo.SEEDED_REVISION:
        pending.insert(0, current)
        revision = script.get_revision(current)
        assert revision is not None
        assert isinstance(revision.down_revision, str), f"{current} is not linear"
        current = revision.down_revision
    assert pending == PENDING


def test_standalone_copy_migrates_with_its_own_env(scratch_db: str, tmp_path: Path) -> None:
    """Mounted as /project/demo, env.py must find models.py next to it, not in pgadmin_py."""
    project = tmp_path / "demo"
    shutil.copytree(demo.ALEMBIC_INI.parent, project, ignore=shutil.ignore_patterns("__pycache__"))

    _alembic(scratch_db, "upgrade", "head", ini=project / "alembic.ini")

    assert _version(scratch_db) == HEAD
    assert _schema_diff(scratch_db) == []
