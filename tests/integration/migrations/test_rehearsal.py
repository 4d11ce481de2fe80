"""Rehearsal (issue 13, section 3): the pending revisions applied to a throwaway copy by the real runner, timed
per revision and statement, the copy always dropped, the real database never touched (fingerprinted before and
after), the result on the plan and in the run history as a rehearsal."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from mig_support import FIXTURES, post_form, text_of, wait_run
from rehearsal_support import alembic, fingerprint, project_env, rehearse, scratch_left

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.migrations.scratch import made_at, scratch_name


def version(url: DatabaseUrl) -> list[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return [r[0] for r in conn.execute("select version_num from alembic_version")]


def test_a_passing_rehearsal_times_each_revision_and_statement_and_touches_nothing(empty_db: DatabaseUrl,
                                                                                    tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    before = fingerprint(empty_db)
    with make_client(project_env(empty_db, tmp_path)) as client:
        plan = text_of(client.get("/migrations/plan?action=upgrade&target=rh02").text)
        assert "Not rehearsed yet" in plan and "Rehearse on a copy" in plan
        run_id = rehearse(client, "rh02")
        page = text_of(wait_run(client, run_id))
        assert "rehearsal passed" in page, page[-3000:]
        assert "the real database was only read" in page
        assert "CREATE DATABASE … TEMPLATE" in page  # nothing else was connected: the fast copy
        assert "rh02" in page and "CREATE INDEX ix_events_kind ON events (kind)" in page  # a statement, timed
        assert "UPDATE events SET kind = upper(kind)" in page
        plan = text_of(client.get("/migrations/plan?action=upgrade&target=rh02").text)
        assert "rehearsal passed" in plan and f"run #{run_id}" in plan and "Not rehearsed yet" not in plan
        runs = text_of(client.get("/migrations/runs").text)
        assert "rehearsal rh02" in runs and "rh01, unchanged" in runs
        overview = client.get("/migrations").text
        assert "rh01" in overview
    assert fingerprint(empty_db) == before
    assert version(empty_db) == ["rh01"]
    assert scratch_left(empty_db) == []


def test_a_failing_rehearsal_names_the_statement_and_the_error(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    before = fingerprint(empty_db)
    with make_client(project_env(empty_db, tmp_path)) as client, \
            psycopg.connect(empty_db.libpq(), application_name="the application") as other:
        other.execute("select 1")  # another session on the database: TEMPLATE is refused, pg_dump copies it
        run_id = rehearse(client, "rh03")
        page = text_of(wait_run(client, run_id))
        assert "rehearsal failed" in page, page[-3000:]
        assert "Failed in revision rh03" in page
        assert "CREATE UNIQUE INDEX uq_customers_email ON customers (email)" in page
        assert "could not create unique index" in page and "is duplicated" in page
        assert "pg_dump / pg_restore" in page and "other session(s) are connected" in page
        plan = text_of(client.get("/migrations/plan?action=upgrade&target=rh03").text)
        assert "rehearsal failed" in plan and "could not create unique index" in plan
        assert "CREATE UNIQUE INDEX uq_customers_email" in plan
    assert fingerprint(empty_db) == before
    assert scratch_left(empty_db) == []


def test_large_tables_are_copied_as_a_sample_and_their_orphans_left_out(empty_db: DatabaseUrl,
                                                                        tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    before = fingerprint(empty_db)
    env = project_env(empty_db, tmp_path, REHEARSAL_SAMPLE_ABOVE_MB="1", REHEARSAL_SAMPLE_ROWS="2000")
    with make_client(env) as client:
        run_id = rehearse(client, "rh02")
        page = text_of(wait_run(client, run_id))
    assert "rehearsal passed" in page, page[-3000:]
    assert "Sampled (a pass on a sample does not prove every row passes): public.events 2,000 of ~30,000" in page
    assert "without the rows of 1 large table(s)" in page
    assert "whose parent row is not in the sample" in page and "public.event_tags" in page  # orphans deleted
    assert fingerprint(empty_db) == before
    assert scratch_left(empty_db) == []


@pytest.mark.parametrize("wrapper", ["", "python manage.py db"])
def test_a_project_that_names_its_own_database_is_refused_before_it_runs_anything(
        empty_db: DatabaseUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapper: str) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    before = fingerprint(empty_db)
    monkeypatch.setenv("REHEARSE_HARDCODED_URL", empty_db.libpq())  # reaches the child: the project's own config
    extra = {"MIGRATE_COMMAND": wrapper} if wrapper else {}
    with make_client(project_env(empty_db, tmp_path, **extra)) as client:
        page = text_of(wait_run(client, rehearse(client, "rh02")))
    assert "rehearsal failed" in page
    assert f"the migration connected to the database '{empty_db.database}', not to the rehearsal's copy" in page
    assert fingerprint(empty_db) == before and version(empty_db) == ["rh01"]
    assert scratch_left(empty_db) == []


def test_a_copy_left_by_a_crash_is_dropped_on_the_next_start(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    old = scratch_name(now=1_700_000_000)
    assert made_at(old) == 1_700_000_000
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute(f'create database "{old}"')
    with make_client(project_env(empty_db, tmp_path)) as client:
        client.get("/migrations/runs")
        for _ in range(100):
            if old not in scratch_left(empty_db):
                break
            time.sleep(0.1)
    assert old not in scratch_left(empty_db)


def test_without_createdb_the_plan_says_so(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    role = f"nocreate_{empty_db.database}"[:60]
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute(f'create role "{role}" login nocreatedb')
        conn.execute(f'grant all on database "{empty_db.database}" to "{role}"')
        conn.execute(f'grant all on all tables in schema public to "{role}"')
    try:
        url = empty_db.replace(user=role)
        with make_client(project_env(url, tmp_path)) as client:
            plan = text_of(client.get("/migrations/plan?action=upgrade&target=rh02").text)
            assert f"the role {role} may not create databases (it lacks CREATEDB)" in plan
            assert "Rehearse on a copy" not in plan
    finally:
        with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
            conn.execute(f'revoke all on all tables in schema public from "{role}"')
            conn.execute(f'revoke all on database "{empty_db.database}" from "{role}"')
            conn.execute(f'drop role "{role}"')


def test_a_wrapper_command_is_rehearsed_on_the_copy(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    before = fingerprint(empty_db)
    with make_client(project_env(empty_db, tmp_path, MIGRATE_COMMAND="python manage.py db")) as client:
        page = text_of(wait_run(client, rehearse(client, "rh02")))
    assert "rehearsal passed" in page, page[-3000:]
    assert "manage.py: upgrade rh02" in page and "via MIGRATE_COMMAND" in page
    assert "CREATE INDEX ix_events_kind ON events (kind)" in page  # timed through the wrapper too
    assert fingerprint(empty_db) == before and scratch_left(empty_db) == []


def test_a_wrapper_that_is_not_python_is_not_rehearsed_and_the_plan_says_why(empty_db: DatabaseUrl,
                                                                             tmp_path: Path) -> None:
    from support.web import make_client

    alembic(empty_db, "upgrade", "rh01")
    with make_client(project_env(empty_db, tmp_path, MIGRATE_COMMAND="./migrate.sh")) as client:
        plan = text_of(client.get("/migrations/plan?action=upgrade&target=rh02").text)
    assert "MIGRATE_COMMAND (./migrate.sh) does not start with python" in plan
    assert "Rehearse on a copy" not in plan


def test_a_cancelled_rehearsal_drops_its_copy(empty_db: DatabaseUrl, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from support.web import make_client

    monkeypatch.setenv("SLEEPY_SECONDS", "60")
    project = FIXTURES / "sleepy"
    env = {"DATABASE_URL": empty_db.libpq(), "ALEMBIC_CONFIG": str(project / "alembic.ini"),
           "PROJECT_DIR": str(project), "DATA_DIR": str(tmp_path)}
    before = fingerprint(empty_db)
    with make_client(env) as client:
        run_id = rehearse(client, "s1000000slow")
        deadline = time.monotonic() + 60
        while "begin upgrade s1000000slow" not in client.get(f"/migrations/runs/{run_id}").text:  # in its sleep
            assert time.monotonic() < deadline, "the rehearsal never reached its slow statement"
            time.sleep(0.2)
        assert scratch_left(empty_db)  # the copy exists while it runs
        started = time.monotonic()
        response = post_form(client, f"/migrations/runs/{run_id}/cancel", {}, page=f"/migrations/runs/{run_id}")
        assert response.status_code == 303
        page = text_of(wait_run(client, run_id, timeout=60))
        assert time.monotonic() - started < 30  # not the 60 s of the sleep
    assert "rehearsal failed" in page and "The rehearsal was cancelled." in page
    assert scratch_left(empty_db) == [] and fingerprint(empty_db) == before
