"""Backups in proportion to the change (issue 13 §4): every definition plus the rows of the touched tables.

Real pg_dump / pg_restore / Alembic children on the ``rollback`` fixture: ``b2`` touches orders and customers
(audit is never named). A targeted backup → migrate → restore brings schema and data back (fingerprinted),
and leaves the tables it does not hold alone; a plan whose SQL cannot be known offers only the full backup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from mig_support import post_form, start_run, text_of, wait_run, with_sql

from pgadmin_py.core.dburl import DatabaseUrl
from support.parity import fingerprint

PLAN_B2 = "/migrations/plan?action=upgrade&target=b2000000000b"


def rows(url: DatabaseUrl, table: str) -> str:
    """The table's rows, in order, as one md5."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        row = conn.execute(f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')), count(*) "
                           f"from {table} t").fetchone()
        assert row is not None
        return f"{row[0]}:{row[1]}"


def execute(url: DatabaseUrl, sql: str) -> None:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def client(project_client: Any) -> Any:
    return project_client("rollback")


def test_targeted_backup_then_migrate_then_restore(client: Any, empty_db: DatabaseUrl, tmp_path: Path) -> None:
    wait_run(client, start_run(client, "upgrade", "b1000000000a"))
    schema_before = fingerprint(empty_db)
    data_before = {t: rows(empty_db, t) for t in ("orders", "customers", "alembic_version", "audit")}

    plan = text_of(with_sql(client, PLAN_B2))
    assert "Targeted : every definition, plus the rows of orders, customers and the version table" in plan
    run_id = start_run(client, "upgrade", "b2000000000b", backup_kind="targeted")
    page = text_of(wait_run(client, run_id))
    assert "succeeded" in page, page[-1500:]
    assert "targeted: every definition + the rows of alembic_version, customers, orders" in page
    sidecar = json.loads(next((tmp_path / "backups").glob("*-b1000000000a.json")).read_text())
    assert sorted(tuple(t) for t in sidecar["coverage"]["tables"]) == [
        ("public", "alembic_version"), ("public", "customers"), ("public", "orders")]
    backups = text_of(client.get("/migrations/backups").text)
    assert "targeted every definition + the rows of alembic_version, customers, orders" in backups

    execute(empty_db, "insert into orders (customer_id, amount) values (1, 7)")  # written since: lost on restore
    execute(empty_db, "insert into audit (msg) values ('after the backup')")  # not in the backup: kept
    name = next((tmp_path / "backups").glob("*-b1000000000a.dump")).name
    confirm_page = text_of(client.get(f"/migrations/backups/{name}/restore").text)
    assert "A targeted backup: only the tables it holds rows of are dropped and recreated" in confirm_page
    confirm = f"{empty_db.database}@b1000000000a"
    restored = post_form(client, f"/migrations/backups/{name}/restore", {"confirm": confirm},
                         page=f"/migrations/backups/{name}/restore")
    assert restored.status_code == 303, text_of(restored.text)[-800:]
    outcome = text_of(wait_run(client, int(restored.headers["location"].rsplit("/", 1)[1])))
    assert "succeeded" in outcome, outcome[-2000:]

    assert fingerprint(empty_db) == schema_before
    for table in ("orders", "customers", "alembic_version"):
        assert rows(empty_db, table) == data_before[table], table
    assert rows(empty_db, "audit").endswith(":301")  # the untouched table kept the row written after the backup
    assert "dropped column orders.note" in outcome  # the restore's own schema change, in words


def test_a_full_backup_stays_one_click_away(client: Any, tmp_path: Path) -> None:
    wait_run(client, start_run(client, "upgrade", "b1000000000a"))
    with_sql(client, PLAN_B2)
    page = text_of(wait_run(client, start_run(client, "upgrade", "b2000000000b", backup_kind="full")))
    assert "succeeded" in page and "targeted" not in page
    sidecar = json.loads(next((tmp_path / "backups").glob("*-b1000000000a.json")).read_text())
    assert "coverage" not in sidecar
    assert "full the whole database" in text_of(client.get("/migrations/backups").text)


def test_without_the_sql_the_backup_is_full(client: Any, tmp_path: Path) -> None:
    """b4 reads data through op.get_bind(): its SQL cannot be rendered offline, so nobody knows what it touches."""
    wait_run(client, start_run(client, "upgrade", "b3000000000c"))
    plan = text_of(with_sql(client, "/migrations/plan?action=upgrade&target=b4000000000d"))
    assert "The whole database: a targeted backup needs to know what the SQL touches, and the SQL could not be " \
           "rendered offline" in plan
    assert "Targeted :" not in plan
    page = text_of(wait_run(client, start_run(client, "upgrade", "b4000000000d", backup_kind="targeted")))
    assert "succeeded" in page, page[-1500:]
    assert "a full backup: a targeted one was asked for, but the SQL could not be rendered offline" in page
    sidecar = json.loads(next((tmp_path / "backups").glob("*-b3000000000c.json")).read_text())
    assert "coverage" not in sidecar


def test_the_plan_names_what_hangs_on_the_touched_tables_and_refuses_over_a_trigger(client: Any,
                                                                                   empty_db: DatabaseUrl) -> None:
    wait_run(client, start_run(client, "upgrade", "b2000000000b"))
    plan_b3 = "/migrations/plan?action=upgrade&target=b3000000000c"
    plan = text_of(with_sql(client, plan_b3))
    assert "plus the rows of customers , with orders (a foreign key to them, or a view over them) and the " \
           "version table" in plan
    execute(empty_db, "create function touch() returns trigger language plpgsql as "
                      "$$ begin insert into audit (msg) values ('touched'); return new; end $$; "
                      "create trigger customers_touch after update on customers for each row execute function touch()")
    plan = text_of(with_sql(client, plan_b3))
    assert "The whole database: a targeted backup needs to know what the SQL touches, and a trigger " \
           "(public.customers: customers_touch) may write tables the SQL does not name" in plan


@pytest.mark.parametrize("kind", ["targeted", "full"])
def test_a_table_created_since_with_a_foreign_key_to_a_restored_one_does_not_stop_the_restore(
        client: Any, empty_db: DatabaseUrl, tmp_path: Path, kind: str) -> None:
    """``--clean`` drops orders, which a table created after the backup references: that table is dropped
    first, in the restore's own transaction (before: the restore failed and changed nothing)."""
    wait_run(client, start_run(client, "upgrade", "b1000000000a"))
    schema_before = fingerprint(empty_db)
    orders_before = rows(empty_db, "orders")
    with_sql(client, PLAN_B2)
    assert "succeeded" in text_of(wait_run(client, start_run(client, "upgrade", "b2000000000b", backup_kind=kind)))
    execute(empty_db, "create table shipments (id serial primary key, order_id int not null references orders (id)); "
                      "insert into shipments (order_id) select id from orders limit 3")
    name = next((tmp_path / "backups").glob("*-b1000000000a.dump")).name
    confirm_page = text_of(client.get(f"/migrations/backups/{name}/restore").text)
    assert "shipments" in confirm_page  # the confirmation names the table that will go
    restored = post_form(client, f"/migrations/backups/{name}/restore",
                         {"confirm": f"{empty_db.database}@b1000000000a"}, page=f"/migrations/backups/{name}/restore")
    assert restored.status_code == 303, text_of(restored.text)[-800:]
    outcome = text_of(wait_run(client, int(restored.headers["location"].rsplit("/", 1)[1])))
    assert "succeeded" in outcome, outcome[-2000:]
    assert "dropped public.shipments: it was created after the backup was taken" in outcome
    assert fingerprint(empty_db) == schema_before
    assert rows(empty_db, "orders") == orders_before
