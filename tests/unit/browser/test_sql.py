"""The SQL the browser builds: keyset conditions, NULL segments, filters; no value is ever inlined."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from pgadmin_py.browser import query as q
from pgadmin_py.browser.filters import Params, check_filters, parse_value, where_parts
from pgadmin_py.browser.params import BrowseParams, Filter
from pgadmin_py.catalog.tables import Column, TableInfo


def col(name: str, base: str, *, nullable: bool = True, kind: str = "base", enum: tuple[str, ...] | None = None,
        type_name: str | None = None) -> Column:
    return Column(name=name, type_name=type_name or base, base_type=base, type_kind=kind, is_array=False,
                  nullable=nullable, default=None, identity=None, generated=False, position=1, max_length=None,
                  numeric_precision=None, numeric_scale=None, enum_values=enum, comment=None)


TABLE = TableInfo(
    oid=1, schema="public", name="ops", kind="table",
    columns=(col("id", "int8", nullable=False), col("note", "text"), col("price", "numeric"),
             col("side", "side", kind="enum", enum=("BUY", "SELL")), col("at", "timestamptz", nullable=False),
             col("ok", "bool"), col("doc", "jsonb")),
    primary_key=("id",), foreign_keys=(), referenced_by=(), indexes=(), unique_constraints=(), checks=(),
    estimated_rows=10, total_bytes=8192, comment=None)


def sql_of(composed: object) -> str:
    return composed.as_string(None)  # type: ignore[attr-defined]


def test_first_page_orders_by_the_key_only() -> None:
    bind = Params()
    text = sql_of(q.keyset_query(TABLE, q.Order(None, False, ("id",)), [], bind, cursor=None, backwards=False,
                                 limit=101))
    assert 'FROM "public"."ops" ORDER BY "public"."ops"."id" ASC LIMIT 101' in text
    assert bind.values == {}


def test_next_page_seeks_past_the_cursor_with_a_parameter() -> None:
    bind = Params()
    text = sql_of(q.keyset_query(TABLE, q.Order(None, False, ("id",)), [], bind, cursor=("41",), backwards=False,
                                 limit=11))
    assert 'WHERE "id" > %(p0)s ORDER BY "public"."ops"."id" ASC' in text
    assert bind.values == {"p0": "41"}


def test_not_null_sort_is_one_row_comparison() -> None:
    order = q.Order(TABLE.column("at"), True, ("id",))
    bind = Params()
    text = sql_of(q.keyset_query(TABLE, order, [], bind, cursor=("2024-01-01", "5"), backwards=False, limit=11))
    assert '("at", "id") < (%(p0)s, %(p1)s)' in text and "UNION" not in text
    assert 'ORDER BY "public"."ops"."at" DESC, "public"."ops"."id" DESC' in text


def test_nullable_sort_pages_across_the_null_segment() -> None:
    order = q.Order(TABLE.column("price"), False, ("id",))
    bind = Params()
    text = sql_of(q.keyset_query(TABLE, order, [], bind, cursor=("9.5", "7"), backwards=False, limit=11))
    first, second = text.split(" UNION ALL ")
    assert '"price" IS NOT NULL AND ("price", "id") > (%(p0)s, %(p1)s)' in first
    assert '"price" IS NULL ORDER BY "public"."ops"."id" ASC' in second
    assert text.endswith(') AS p ORDER BY "r2" ASC, "r0" ASC LIMIT 11')  # NULLs last: the NULL segment after


def test_cursor_inside_the_null_segment_only_reads_nulls() -> None:
    order = q.Order(TABLE.column("price"), False, ("id",))
    bind = Params()
    text = sql_of(q.keyset_query(TABLE, order, [], bind, cursor=(None, "7"), backwards=False, limit=11))
    assert "UNION" not in text and '"price" IS NULL AND "id" > %(p0)s' in text
    assert bind.values == {"p0": "7"}


def test_backwards_from_the_null_segment_reaches_the_values() -> None:
    order = q.Order(TABLE.column("price"), False, ("id",))
    text = sql_of(q.keyset_query(TABLE, order, [], Params(), cursor=(None, "7"), backwards=True, limit=11))
    nulls, values = text.split(" UNION ALL ")
    assert '"price" IS NULL AND "id" < %(p0)s ORDER BY "public"."ops"."id" DESC' in nulls
    assert '"price" IS NOT NULL ORDER BY "public"."ops"."price" DESC, "public"."ops"."id" DESC' in values


def test_filters_are_parameters_and_identifiers_are_quoted() -> None:
    hostile = "x'; drop table ops; --"
    params = BrowseParams(filters=(Filter("note", "contains", hostile), Filter("price", "gte", "1.5"),
                                   Filter("side", "eq", "SELL"), Filter("ok", "isnull")), search="50%_off")
    checked, problems = check_filters(TABLE, params)
    assert problems == []
    bind = Params()
    text = " AND ".join(sql_of(p) for p in where_parts(TABLE, checked, params.search, bind))
    assert "drop" not in text and "50" not in text
    assert '"note" ILIKE %(p0)s' in text and '"price" >= %(p1)s' in text and '"ok" IS NULL' in text
    assert bind.values["p0"] == "%x'; drop table ops; --%"
    assert bind.values["p1"] == Decimal("1.5")
    assert bind.values["p3"] == "%50\\%\\_off%"


@pytest.mark.parametrize(("flt", "message"), [
    (Filter("price", "gte", "abc"), "not a number"),
    (Filter("id", "eq", "99999999999999999999"), "out of range"),
    (Filter("at", "gte", "yesterday"), "not a date and time"),
    (Filter("side", "eq", "HOLD"), "not one of BUY, SELL"),
    (Filter("ok", "eq", "maybe"), "not true or false"),
    (Filter("nope", "eq", "1"), 'no column "nope"'),
    (Filter("price", "contains", "1"), "does not apply"),
    (Filter("note", "eq", "a\x00b"), "NUL"),
    (Filter("id", "isnull"), "does not apply"),
])
def test_bad_filter_values_become_problems_not_sql(flt: Filter, message: str) -> None:
    checked, problems = check_filters(TABLE, BrowseParams(filters=(flt,)))
    assert checked == [] and len(problems) == 1
    assert message in problems[0].message


def test_date_only_upper_bound_covers_the_whole_day() -> None:
    checked, _ = check_filters(TABLE, BrowseParams(filters=(Filter("at", "lte", "2024-03-01"),)))
    bind = Params()
    text = sql_of(where_parts(TABLE, checked, "", bind)[0])
    assert text == '"at" < %(p0)s' and bind.values["p0"] == datetime(2024, 3, 2)
    assert parse_value(TABLE.column("at"), "gte", "2024-03-01 10:00") == datetime(2024, 3, 1, 10)


def test_long_values_are_cut_in_the_page_but_keys_are_not() -> None:
    exprs = [sql_of(q.display_expr(c, False)) for c in TABLE.columns]
    assert exprs[0] == '"id"::text' and exprs[1] == 'left("note"::text, 2001)'
    assert sql_of(q.display_expr(TABLE.column("note"), True)) == '"note"::text'


def _inner_outer(text: str) -> tuple[str, str]:
    """(the inner page select, the outer select around it) of a page query."""
    start, end = text.index(" FROM (") + len(" FROM ("), text.rindex(") AS p")
    return text[start:end], text[:start] + text[end:]


@pytest.mark.parametrize("order", [q.Order(None, False, ("id",)), q.Order(TABLE.column("at"), True, ("id",)),
                                   q.Order(TABLE.column("price"), False, ("id",))])
def test_only_the_page_rows_are_converted_to_text(order: q.Order) -> None:
    text = sql_of(q.keyset_query(TABLE, order, [], Params(), cursor=None, backwards=False, limit=11))
    inner, outer = _inner_outer(text)
    assert "::text" not in inner and "left(" not in inner
    assert 'left("r1"::text, 2001) AS "c1"' in outer and '"r0"::text AS "k' in outer
    # the table's columns in table order and nothing else: the scan's tuples go to the sort unprojected
    assert inner.lstrip("(").startswith('SELECT "id" AS "r0", "note" AS "r1", "price" AS "r2", "side" AS "r3",'
                                        ' "at" AS "r4", "ok" AS "r5", "doc" AS "r6" FROM')
    assert "LIMIT 11" in inner


def test_the_outer_order_is_the_inner_order() -> None:
    text = sql_of(q.keyset_query(TABLE, q.Order(TABLE.column("at"), True, ("id",)), [], Params(), cursor=None,
                                 backwards=False, limit=11))
    assert text.endswith('ORDER BY "public"."ops"."at" DESC, "public"."ops"."id" DESC LIMIT 11) AS p'
                         ' ORDER BY "r4" DESC, "r0" DESC')
    assert '"r4"::text AS "k0", "r0"::text AS "k1"' in text


def test_offset_page_converts_only_its_rows_in_the_same_order() -> None:
    order = q.Order(TABLE.column("price"), True, ())
    text = sql_of(q.offset_query(TABLE, order, [], offset=20, limit=11))
    inner, outer = _inner_outer(text)
    assert "::text" not in inner
    assert inner.endswith('ORDER BY "public"."ops"."price" DESC, ctid LIMIT 11 OFFSET 20')
    assert outer.endswith('ORDER BY "r2" DESC, __ctid')
