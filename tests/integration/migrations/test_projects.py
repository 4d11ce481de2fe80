"""Fixture Alembic projects on real PostgreSQL: branches, async env.py, wrappers, missing modules, failures."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

import psycopg
from mig_support import FIXTURES, post_form, project_env, start_run, text_of, wait_run, with_sql

from pgadmin_py.core.dburl import DatabaseUrl


def q(url: DatabaseUrl, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return list(conn.execute(sql).fetchall())


def version(url: DatabaseUrl) -> list[str]:
    return sorted(r[0] for r in q(url, "select version_num from alembic_version"))


def columns(url: DatabaseUrl, table: str) -> set[str]:
    return {r[0] for r in q(url, f"select column_name from information_schema.columns where table_name = '{table}'")}


def test_backup_destructive_migration_restore_brings_every_row_back(project_client: Any, empty_db: DatabaseUrl,
                                                                    tmp_path: Path) -> None:
    client = project_client("linear")
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "a2000000000b", backup="off")))
    before = q(empty_db, "select id, name, legacy_code, price from items order by id")
    assert len(before) == 500
    plan = text_of(with_sql(client, "/migrations/plan?action=upgrade&target=heads"))
    assert "drops column legacy_code" in plan and "deletes rows from items" in plan
    assert "irreversible" in plan and "downgrade() does nothing" in plan
    page = wait_run(client, start_run(client, "upgrade", "heads"))
    assert "succeeded" in text_of(page)
    assert q(empty_db, "select count(*) from items") == [(400,)] and "legacy_code" not in columns(empty_db, "items")
    backups = client.get("/migrations/backups").text
    (name,) = [b.name for b in (tmp_path / "backups").glob("*.dump")]
    assert name in backups and "a2000000000b" in name
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute("create table created_later (id int)")
    confirm = text_of(client.get(f"/migrations/backups/{name}/restore").text)
    word = f"{empty_db.database}@a2000000000b"  # the restore names its source: database and revision
    assert f"Type {word} (the database and the backup's revision) to confirm" in confirm
    assert f"Source: database {empty_db.database} on this server" in confirm
    assert "1 table created after this backup will be dropped" in confirm and "public.created_later" in confirm
    for typed in ("a2000000000b", f"{empty_db.database}@a3000000000c"):
        wrong = post_form(client, f"/migrations/backups/{name}/restore", {"confirm": typed})
        assert wrong.status_code == 400 and f"Type {word}" in text_of(wrong.text)
    restored = post_form(client, f"/migrations/backups/{name}/restore", {"confirm": word})
    assert restored.status_code == 303
    run_page = wait_run(client, int(restored.headers["location"].rsplit("/", 1)[1]))
    assert "succeeded" in text_of(run_page), text_of(run_page)
    assert q(empty_db, "select id, name, legacy_code, price from items order by id") == before
    assert version(empty_db) == ["a2000000000b"]
    assert q(empty_db, "select to_regclass('created_later')") == [(None,)]
    assert "restore" in text_of(client.get("/migrations/runs").text)


def test_branches_merges_labels_and_multiple_heads(project_client: Any, empty_db: DatabaseUrl) -> None:
    client = project_client("branchy")
    words = text_of(client.get("/migrations").text)
    assert "2 branches: core, feature" in words and "merge revision" not in words  # labelled: by design
    assert "2 heads" in words and "feature" in words and "core" in words and "depends on b1000000left" in words
    ambiguous = client.get("/migrations/plan?action=upgrade&target=head")
    assert ambiguous.status_code == 400 and "ambiguous" in ambiguous.text
    plan = text_of(client.get("/migrations/plan?action=upgrade&target=feature@head").text)
    assert "5 revisions will run" in plan
    order = [plan.index(r) for r in ("b0000000base", "b3000000merg", "b4000000feat")]
    assert order == sorted(order) and "b5000000core" not in plan.split("SQL preview")[0]
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "feature@head", backup="off")))
    assert version(empty_db) == ["b4000000feat"]
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
    assert version(empty_db) == ["b4000000feat", "b5000000core"]
    down = text_of(client.get("/migrations/plan?action=downgrade&target=b1000000left").text)
    # as `alembic downgrade b1000000left` does: b2000000rght is not on b1000000left's line, so it stays
    assert "Type b1000000left to confirm" in down and "3 revisions will be undone" in down


def test_async_env_py_in_the_projects_interpreter(project_client: Any, empty_db: DatabaseUrl) -> None:
    client = project_client("asyncenv", ALEMBIC_PYTHON=sys.executable)
    assert f"Alembic in the project's interpreter {sys.executable}" in text_of(client.get("/migrations").text)
    assert "ALTER TABLE async_things ADD COLUMN label TEXT" in text_of(with_sql(client, "/migrations/c2000000asyn"))
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
    assert version(empty_db) == ["c2000000asyn"] and "label" in columns(empty_db, "async_things")


def test_migrate_command_wrapper(project_client: Any, empty_db: DatabaseUrl) -> None:
    plain = project_client("wrapper")
    blocked = text_of(with_sql(plain, "/migrations/plan?action=upgrade&target=heads"))
    assert "Working outside of application context" in blocked
    command = f"{sys.executable} {FIXTURES / 'wrapper' / 'manage.py'} db"
    wrapped = project_client("wrapper", MIGRATE_COMMAND=command)
    assert "the project's own command" in text_of(wrapped.get("/migrations").text)
    page = text_of(wait_run(wrapped, start_run(wrapped, "upgrade", "heads", backup="off")))
    assert "succeeded" in page and "manage.py: upgrade heads inside the application context" in page
    assert version(empty_db) == ["w1000000wrap"]


def test_missing_module_shows_graph_and_refuses_with_hint(project_client: Any, empty_db: DatabaseUrl) -> None:
    client = project_client("missingmod")
    words = text_of(client.get("/migrations").text)
    assert "m1000000miss" in words and "Module 'acme_billing' is not importable here" in words
    assert "ALEMBIC_PYTHON" in words
    plan = text_of(client.get("/migrations/plan?action=upgrade&target=heads").text)
    assert "no module named 'acme_billing'" in plan and "ALEMBIC_PYTHON" in plan and "MIGRATE_COMMAND" in plan
    revision = text_of(with_sql(client, "/migrations/m1000000miss"))
    assert "from acme_billing.types import Money" in revision and "no module named 'acme_billing'" in revision
    refused = post_form(client, "/migrations/apply", {"action": "upgrade", "target": "heads"})
    assert refused.status_code == 400 and "acme_billing" in refused.text
    assert q(empty_db, "select to_regclass('alembic_version')") == [(None,)]


def test_create_all_without_version_table_offers_stamp(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from pgadmin_py.demo.models import Base
    from support.web import demo_env, make_client

    engine = create_engine(empty_db.sqlalchemy())
    Base.metadata.create_all(engine)
    engine.dispose()
    with make_client(demo_env(empty_db, tmp_path)) as client:
        words = text_of(client.get("/migrations").text)
        assert "Tables exist but no version table" in words and "stamp b93e1f7c5a20" in words
        plan = text_of(client.get("/migrations/plan?action=stamp&target=b93e1f7c5a20").text)
        assert "without running any migration" in plan and "Type b93e1f7c5a20 to confirm" in plan
        assert post_form(client, "/migrations/apply", {"action": "stamp", "target": "b93e1f7c5a20",
                                                       "confirm": "nope"}).status_code == 400
        run = start_run(client, "stamp", "b93e1f7c5a20", confirm="b93e1f7c5a20")
        assert "succeeded" in text_of(wait_run(client, run))
        assert version(empty_db) == ["b93e1f7c5a20"]
        assert "Tables exist but no version table" not in text_of(client.get("/migrations").text)


def test_migration_failing_half_way(project_client: Any, empty_db: DatabaseUrl) -> None:
    client = project_client("failing")
    page = text_of(wait_run(client, start_run(client, "upgrade", "heads")))
    assert "failed" in page and "Failed in revision f3000000fail" in page
    assert "table_that_does_not_exist" in page
    assert "Database now at f2000000good" in page and "Restore the backup" in page
    assert "Stopped part-way" in page
    assert version(empty_db) == ["f2000000good"]  # transaction_per_migration: f1 and f2 committed
    assert q(empty_db, "select count(*), sum(amount) from ledger") == [(100, 5050)]  # the doubling rolled back
    assert "checked" not in columns(empty_db, "ledger") and "note" in columns(empty_db, "ledger")


def test_two_concurrent_applies_exactly_one_runs(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    env = project_env("linear", empty_db, tmp_path)
    results: list[Any] = []
    barrier = threading.Barrier(2)
    with make_client(env) as one, make_client(env) as two:  # two replicas of the app on one database
        tokens = {id(c): __import__("support.web", fromlist=["csrf_token"]).csrf_token(c, "/migrations")
                  for c in (one, two)}

        def click(client: Any) -> None:
            barrier.wait()
            results.append((client, client.post("/migrations/apply", data={"action": "upgrade", "target": "heads"},
                                                headers={"x-csrftoken": tokens[id(client)]}, follow_redirects=False)))

        threads = [threading.Thread(target=click, args=(c,)) for c in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for _, r in results)
        assert codes == [303, 409], [r.text[-300:] for _, r in results]
        refused = next(r for _, r in results if r.status_code == 409)
        assert "A migration is running" in refused.text
        winner_client, winner = next((c, r) for c, r in results if r.status_code == 303)
        run_id = int(winner.headers["location"].rsplit("/", 1)[1])
        assert "succeeded" in text_of(wait_run(winner_client, run_id))
        loser_client = two if winner_client is one else one
        assert "succeeded" in text_of(wait_run(loser_client, run_id))  # the other replica sees it in the history
    assert version(empty_db) == ["a3000000000c"]
    assert q(empty_db, "select count(*) from items") == [(400,)]  # the DELETE ran exactly once


def test_lock_held_elsewhere_refuses_with_message(project_client: Any, empty_db: DatabaseUrl) -> None:
    from pgadmin_py.migrations.runs import LOCK_KEY

    client = project_client("linear")
    with psycopg.connect(empty_db.libpq(), autocommit=True) as other:
        other.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        refused = post_form(client, "/migrations/apply", {"action": "upgrade", "target": "heads"})
        assert refused.status_code == 409 and "holds the migration lock" in refused.text
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))


def test_failed_backup_stops_the_migration_unless_told_otherwise(project_client: Any, empty_db: DatabaseUrl,
                                                                 tmp_path: Path) -> None:
    backup_dir = tmp_path / "unwritable-backups"
    client = project_client("linear", BACKUP_DIR=str(backup_dir))
    backup_dir.write_text("a file where the backup directory should be")  # pg_dump cannot write there
    page = text_of(wait_run(client, start_run(client, "upgrade", "heads")))
    assert "failed" in page and "Backup failed" in page and "the migration does not run without a backup" in page
    assert q(empty_db, "select to_regclass('alembic_version')") == [(None,)]
    page = text_of(wait_run(client, start_run(client, "upgrade", "heads", proceed_without_backup="on")))
    assert "succeeded" in page and "continuing without a backup, as requested" in page
    assert version(empty_db) == ["a3000000000c"]


def test_failure_in_one_transaction_rolls_everything_back(project_client: Any, empty_db: DatabaseUrl,
                                                          tmp_path: Path) -> None:
    """Without transaction_per_migration the whole run is one transaction: a failure leaves nothing behind."""
    project = tmp_path / "onetx"
    import shutil

    shutil.copytree(FIXTURES / "failing", project)
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("transaction_per_migration = true", ""))
    from support.web import make_client

    env = {"DATABASE_URL": empty_db.libpq(), "ALEMBIC_CONFIG": str(ini), "PROJECT_DIR": str(project),
           "DATA_DIR": str(tmp_path / "data")}
    with make_client(env) as client:
        page = text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
    assert "Failed in revision f3000000fail" in page and "Rolled back: nothing was applied" in page
    assert q(empty_db, "select to_regclass('alembic_version'), to_regclass('ledger')") == [(None, None)]


def test_version_table_in_its_own_schema(project_client: Any, empty_db: DatabaseUrl) -> None:
    """env.py moves the version table (version_table_schema / version_table): status follows it."""
    client = project_client("schemaver")
    assert "pending" in client.get("/migrations").text
    page = text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
    assert "succeeded" in page and "Database now at v1000000schm" in page
    assert q(empty_db, "select version_num from meta.schema_history") == [("v1000000schm",)]
    words = text_of(client.get("/migrations").text)
    assert "Current revision v1000000schm" in words and "Pending 0" in words
    assert "no version table" not in words.lower()


def test_no_alembic_project_configured(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import make_client

    with make_client({"DATABASE_URL": empty_db.libpq(), "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path)}) as c:
        page = c.get("/migrations")
    assert page.status_code == 200 and "Set ALEMBIC_CONFIG" in page.text


def test_downgrade_failing_in_the_projects_own_code(project_client: Any, empty_db: DatabaseUrl) -> None:
    """A downgrade that the database refuses (a view depends on the column) stops, says where, keeps the data."""
    client = project_client("failing")
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "f2000000good", backup="off")))
    with psycopg.connect(empty_db.libpq(), autocommit=True) as conn:
        conn.execute("update ledger set note = 'kept' where id <= 10")
        conn.execute("create view ledger_notes as select id, note from ledger")
    page = text_of(wait_run(client, start_run(client, "downgrade", "base", confirm="base")))
    assert "failed" in page
    assert "Failed in revision f2000000good" in page
    assert "ledger_notes" in page  # PostgreSQL's own words: the view depends on the column
    assert "Database now at f2000000good" in page and "Restore the backup" in page
    assert version(empty_db) == ["f2000000good"]
    assert q(empty_db, "select count(*) from ledger where note = 'kept'") == [(10,)]
