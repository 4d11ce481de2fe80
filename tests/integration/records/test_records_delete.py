"""The cascade preview predicts exactly what DELETE then does (checked by counting rows before and after)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import create_db_engine
from pgadmin_py.orm.introspect import ModelCatalog
from pgadmin_py.records import DeletePlan, Records

TABLES = ("brokers", "clients", "accounts", "operations", "payments", "client_tags", "tags", "instruments")


def _counts(db: Engine, tables: tuple[str, ...] = TABLES) -> dict[str, int]:
    with db.connect() as conn:
        return {t: int(conn.execute(text(f"select count(*) from {t}")).scalar_one()) for t in tables}


def _plan(demo_db: DatabaseUrl, table: str, keys: list[str]) -> DeletePlan:
    engine = create_db_engine(demo_db, read_only=False, statement_timeout_ms=10_000)
    try:
        return Records(engine, lambda: ModelCatalog((), None)).delete_plan("public", table, keys)
    finally:
        engine.dispose()


def _deleted(plan: DeletePlan) -> dict[str, int]:
    out = {plan.info.name: plan.found}
    for e in plan.effects:
        if e.action == "delete":
            out[e.table] = out.get(e.table, 0) + e.rows
    return out


def _confirm(client: Any, token: str, table: str, keys: list[str]) -> Any:
    return client.post(f"/tables/public/{table}/delete", data={"pk": keys, "confirm": "1"},
                       headers={"x-csrftoken": token})


def test_client_delete_preview_equals_what_delete_removes(client: Any, db: Engine, demo_db: DatabaseUrl,
                                                          token: str) -> None:
    keys = ["3", "4"]
    page = client.post("/tables/public/clients/delete", data={"pk": keys}, headers={"x-csrftoken": token})
    assert page.status_code == 200 and "Deleting <strong>2 rows</strong>" in page.text
    plan = _plan(demo_db, "clients", keys)
    predicted = _deleted(plan)
    assert set(predicted) >= {"clients", "accounts", "operations", "payments"}
    before = _counts(db)
    done = _confirm(client, token, "clients", keys)
    assert done.status_code == 200 and "Deleted 2 rows from clients" in done.text
    after = _counts(db)
    assert {t: before[t] - after[t] for t in TABLES if before[t] != after[t]} == predicted


def test_broker_delete_sets_null_through_the_self_reference_and_clients(client: Any, db: Engine,
                                                                        demo_db: DatabaseUrl, token: str) -> None:
    with db.connect() as conn:
        reports = conn.execute(text("select count(*) from brokers where manager_id = 2")).scalar_one()
        served = conn.execute(text("select count(*) from clients where broker_id = 2")).scalar_one()
    plan = _plan(demo_db, "brokers", ["2"])
    nulled = {(e.table, e.columns): e.rows for e in plan.effects if e.action == "set null"}
    assert nulled == {("brokers", ("manager_id",)): reports, ("clients", ("broker_id",)): served}
    assert not plan.blocked and _deleted(plan) == {"brokers": 1}
    before = _counts(db)
    assert _confirm(client, token, "brokers", ["2"]).status_code == 200
    after = _counts(db)
    assert before["brokers"] - after["brokers"] == 1 and before["clients"] == after["clients"]
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from brokers where manager_id = 2")).scalar_one() == 0
        assert conn.execute(text("select count(*) from clients where broker_id is null")).scalar_one() >= served


def test_restrict_blocks_and_nothing_is_deleted(client: Any, db: Engine, demo_db: DatabaseUrl, token: str) -> None:
    instrument = "1"
    plan = _plan(demo_db, "instruments", [instrument])
    assert plan.blocked and plan.blockers[0].table == "operations" and plan.blockers[0].rule == "NO ACTION"
    page = client.post("/tables/public/instruments/delete", data={"pk": [instrument]}, headers={"x-csrftoken": token})
    assert "The delete is blocked" in page.text and "btn-solid" not in page.text
    before = _counts(db)
    refused = _confirm(client, token, "instruments", [instrument])
    assert refused.status_code == 409
    assert _counts(db) == before


def test_recursive_cascade_through_a_self_reference(client: Any, db: Engine, demo_db: DatabaseUrl,
                                                    token: str) -> None:
    with db.begin() as conn:
        conn.execute(text("""
            create table nodes (id int primary key, parent_id int references nodes on delete cascade);
            create table notes (id serial primary key, node_id int references nodes on delete set null);
            insert into nodes values (1, null), (2, 1), (3, 2), (4, 3), (5, 4), (6, 1), (7, null), (8, 7);
            insert into notes (node_id) values (5), (5), (6), (8), (null);"""))
    plan = _plan(demo_db, "nodes", ["1"])
    assert _deleted(plan) == {"nodes": 6}
    assert [(e.table, e.rows) for e in plan.effects if e.action == "set null"] == [("notes", 3)]
    before = _counts(db, ("nodes", "notes"))
    _confirm(client, token, "nodes", ["1"])
    assert before["nodes"] - _counts(db, ("nodes",))["nodes"] == 6
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from notes where node_id is null")).scalar_one() == 4


def test_deleting_rows_that_are_gone_says_so(client: Any, db: Engine, token: str) -> None:
    with db.begin() as conn:
        conn.execute(text("delete from client_tags where client_id = 9; delete from payments where account_id in "
                          "(select id from accounts where client_id = 9)"))
    assert _confirm(client, token, "clients", ["9"]).status_code == 200
    page = client.post("/tables/public/clients/delete", data={"pk": ["9"]}, headers={"x-csrftoken": token})
    assert "None of the selected rows exist any more" in page.text
