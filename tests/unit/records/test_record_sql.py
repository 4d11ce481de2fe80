"""SQL text of row writes: identifiers quoted from the catalog, every value a cast parameter. Pure."""

from __future__ import annotations

from pgadmin_py.catalog.tables import Column, TableInfo
from pgadmin_py.forms import DEFAULT
from pgadmin_py.records import sql


def _col(name: str, type_name: str, position: int, array: bool = False, base: str = "text") -> Column:
    return Column(name=name, type_name=type_name, base_type=base, type_kind="base", is_array=array, nullable=True,
                  default=None, identity=None, generated=False, position=position, max_length=None,
                  numeric_precision=None, numeric_scale=None, enum_values=None, comment=None)


INFO = TableInfo(
    oid=1, schema='my"schema', name="order lines", kind="table",
    columns=(_col("order", "integer", 1, base="int4"), _col('li"ne', "smallint", 2, base="int2"),
             _col("tags", "text[]", 3, array=True), _col("doc", "jsonb", 4, base="jsonb")),
    primary_key=("order", 'li"ne'), foreign_keys=(), referenced_by=(), indexes=(), unique_constraints=(),
    checks=(), estimated_rows=0, total_bytes=0, comment=None)


def test_identifiers_are_quoted_and_values_are_cast_parameters() -> None:
    query, params = sql.insert(INFO, {"order": "1", 'li"ne': None, "tags": DEFAULT, "doc": "{}"})
    assert query == ('INSERT INTO "my""schema"."order lines" ("order", "li""ne", "tags", "doc") '
                     "VALUES (CAST(:v0 AS integer), NULL, DEFAULT, CAST(:v3 AS jsonb)) "
                     'RETURNING CAST("order" AS text), CAST("li""ne" AS text)')
    assert params == {"v0": "1", "v3": "{}"}


def test_an_insert_of_nothing_uses_default_values() -> None:
    query, params = sql.insert(INFO, {})
    assert "DEFAULT VALUES" in query and params == {}


def test_update_by_composite_key() -> None:
    query, params = sql.update(INFO, ("7", "2"), {"doc": "[]"})
    assert query.startswith('UPDATE "my""schema"."order lines" SET "doc" = CAST(:v0 AS jsonb) WHERE ')
    assert '("order" = CAST(:k0 AS integer) AND "li""ne" = CAST(:k1 AS smallint))' in query
    assert params == {"v0": "[]", "k0": "7", "k1": "2"}


def test_update_with_a_version_column_increments_it() -> None:
    query, _ = sql.update(INFO, ("7", "2"), {"order": "7"}, version_column="order", version_increment=True)
    assert 'SET "order" = "order" + 1' in query


def test_bulk_keys_and_reads() -> None:
    cond, params = sql.keys_condition(INFO, [("1", "1"), ("1", "2")])
    assert cond.count(" OR ") == 1 and params == {"k0_0": "1", "k0_1": "1", "k1_0": "1", "k1_1": "2"}
    assert sql.keys_condition(INFO, [])[0] == "(false)"
    query, _ = sql.select_row(INFO, ("1", "2"), None, lock=True)
    assert "CAST(xmin AS text) AS __version" in query and query.endswith("FOR UPDATE")
    assert 'CAST("tags" AS text[])' in query and 'jsonb_pretty("doc")' in query
