"""The catalog's description of tables: what every feature builds on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from pgadmin_py.catalog.tables import all_tables, catalog_fingerprint, get_table, list_relations
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import NotFound


@pytest.fixture
def engine(demo_db: DatabaseUrl) -> Iterator[Engine]:
    eng = create_engine(demo_db.sqlalchemy())
    yield eng
    eng.dispose()


def test_all_tables_in_one_pass_equal_one_table_at_a_time(engine: Engine) -> None:
    everything = all_tables(engine)
    assert [t.name for t in everything] == sorted(t.name for t in everything)
    assert {t.name for t in everything} == {"accounts", "alembic_version", "brokers", "client_tags", "clients",
                                            "instruments", "operations", "payments", "tags"}
    assert everything == [get_table(engine, t.schema, t.name) for t in everything]


def test_columns_keys_and_foreign_keys(engine: Engine) -> None:
    clients = get_table(engine, "public", "clients")
    assert clients.primary_key == ("id",)
    assert clients.column("full_name").max_length == 120
    assert clients.column("phone_numbers").is_array
    assert clients.column("birth_date").nullable
    (broker_fk,) = clients.foreign_keys
    assert (broker_fk.columns, broker_fk.ref_table, broker_fk.on_delete) == (("broker_id",), "brokers", "SET NULL")
    assert {(fk.table, fk.on_delete) for fk in clients.referenced_by} == {("accounts", "CASCADE"),
                                                                        ("client_tags", "CASCADE")}
    operations = get_table(engine, "public", "operations")
    assert operations.column("side").enum_values == ("BUY", "SELL")
    assert (operations.column("price").numeric_precision, operations.column("price").numeric_scale) == (14, 4)
    brokers = get_table(engine, "public", "brokers")
    self_ref = [fk for fk in brokers.foreign_keys if fk.ref_table == "brokers"]
    assert self_ref
    assert self_ref[0] in brokers.referenced_by


def test_unknown_table_is_not_found_with_words(engine: Engine) -> None:
    with pytest.raises(NotFound, match='There is no table or view "nope" in schema "public"'):
        get_table(engine, "public", "nope")
    with pytest.raises(NotFound, match="has no column"):
        get_table(engine, "public", "clients").column("nope")


def test_estimates_and_fingerprint(engine: Engine) -> None:
    relations = {r.name: r for r in list_relations(engine)}
    assert relations["operations"].estimated_rows == 5000  # the demo seed runs ANALYZE
    before = catalog_fingerprint(engine)
    assert catalog_fingerprint(engine) == before
    with engine.begin() as conn:
        conn.execute(text("alter table clients add column nickname text"))
    assert catalog_fingerprint(engine) != before


def test_empty_database(empty_db: DatabaseUrl) -> None:
    eng = create_engine(empty_db.sqlalchemy())
    try:
        assert all_tables(eng) == []
        assert list_relations(eng) == []
    finally:
        eng.dispose()
