"""Filters and sort per column type, checked against the same question asked in plain SQL."""

from __future__ import annotations

import psycopg
import pytest

from pgadmin_py.browser.params import BrowseParams, Filter
from pgadmin_py.browser.service import Browser


def ids(browser: Browser, table: str, params: BrowseParams) -> list[str]:
    page = browser.browse(browser.describe("public", table), params)
    assert page.error is None and page.problems == ()
    return [r.pk[0] for r in page.rows if r.pk]


def sql_ids(pg: psycopg.Connection[tuple[object, ...]], query: str, *args: object) -> list[str]:
    return [str(r[0]) for r in pg.execute(query, args or None).fetchall()]


FILTERS = [
    ("clients", Filter("full_name", "contains", "an"), "full_name ilike '%an%'"),
    ("clients", Filter("full_name", "startswith", "ali"), "full_name ilike 'ali%'"),
    ("clients", Filter("email", "eq", "keiko.moreau1@example.com"), "email = 'keiko.moreau1@example.com'"),
    ("clients", Filter("full_name", "ne", "Keiko Moreau"), "full_name <> 'Keiko Moreau'"),
    ("clients", Filter("birth_date", "gte", "1990-01-01"), "birth_date >= '1990-01-01'"),
    ("clients", Filter("birth_date", "isnull"), "birth_date is null"),
    ("clients", Filter("is_verified", "eq", "false"), "is_verified = false"),
    ("clients", Filter("is_verified", "notnull"), "is_verified is not null"),
    ("clients", Filter("broker_id", "eq", "3"), "broker_id = 3"),
    ("clients", Filter("preferences", "contains", "fr"), "preferences::text ilike '%fr%'"),
    ("operations", Filter("price", "gte", "100.5"), "price >= 100.5"),
    ("operations", Filter("quantity", "lte", "5"), "quantity <= 5"),
    ("operations", Filter("side", "eq", "SELL"), "side = 'SELL'"),
    ("operations", Filter("executed_at", "lte", "2021-06-30"), "executed_at < '2021-07-01'"),
    ("operations", Filter("executed_at", "gte", "2024-01-01 12:00"), "executed_at >= '2024-01-01 12:00'"),
    ("payments", Filter("status", "ne", "completed"), "status <> 'completed'"),
    ("payments", Filter("paid_at", "isnull"), "paid_at is null"),
]


@pytest.mark.parametrize(("table", "flt", "where"), FILTERS, ids=[f"{t}.{f.column}__{f.op}" for t, f, _ in FILTERS])
def test_filter_matches_sql(browser: Browser, pg: psycopg.Connection[tuple[object, ...]], table: str, flt: Filter,
                            where: str) -> None:
    got = ids(browser, table, BrowseParams(filters=(flt,), size=1000))
    expected = sql_ids(pg, f"select id from {table} where {where} order by id limit 1000")
    assert got == expected
    assert expected, "the case should select something"


def test_range_and_search_combine(browser: Browser, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    decade = (Filter("birth_date", "gte", "1980-01-01"), Filter("birth_date", "lte", "1989-12-31"))
    params = BrowseParams(filters=decade, search="ma", size=1000)
    expected = sql_ids(pg, "select id from clients where birth_date between '1980-01-01' and '1989-12-31' and "
                           "(full_name ilike '%ma%' or email ilike '%ma%') order by id")
    assert ids(browser, "clients", params) == expected and expected


SORTS = [("clients", c) for c in ("full_name", "birth_date", "is_verified", "created_at", "public_id", "broker_id")]
SORTS += [("operations", c) for c in ("price", "side", "executed_at", "fee")]
SORTS += [("payments", "status"), ("payments", "paid_at")]


@pytest.mark.parametrize(("table", "column"), SORTS, ids=[f"{t}.{c}" for t, c in SORTS])
@pytest.mark.parametrize("desc", [False, True], ids=["asc", "desc"])
def test_sort_matches_sql(browser: Browser, pg: psycopg.Connection[tuple[object, ...]], table: str, column: str,
                          desc: bool) -> None:
    direction = "desc" if desc else "asc"
    expected = sql_ids(pg, f"select id from {table} order by {column} {direction}, id {direction} limit 50")
    assert ids(browser, table, BrowseParams(sort=column, desc=desc, size=50)) == expected


def test_counts_are_exact_on_small_tables_and_estimated_on_request(browser: Browser) -> None:
    described = browser.describe("public", "operations")
    page = browser.browse(described, BrowseParams(filters=(Filter("side", "eq", "BUY"),)))
    assert page.count.exact
    exact = browser.count(described, BrowseParams(filters=(Filter("side", "eq", "BUY"),)))
    assert exact.exact and exact.value == page.count.value


def test_reverse_relations_count_referencing_rows(browser: Browser, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    account = pg.execute("select account_id from operations group by 1 order by count(*) desc limit 1").fetchone()
    assert account
    row = browser.row(browser.describe("public", "accounts"), str(account[0]))
    refs = {r.fk.table: r for r in row.references}
    expected_ops = pg.execute("select count(*) from operations where account_id = %s", account).fetchone()
    expected_pay = pg.execute("select count(*) from payments where account_id = %s", account).fetchone()
    assert expected_ops and expected_pay
    assert refs["operations"].count == expected_ops[0] and refs["payments"].count == expected_pay[0]
    assert refs["operations"].filters == (("account_id__eq", str(account[0])),)
    client_cell = next(cell for v, cell, _ in row.fields if v.name == "client_id")
    assert client_cell.link is not None and client_cell.link.table == "clients" and client_cell.link.pk


def test_big_tables_get_estimates_and_an_exact_count_on_request(engine: object,
                                                                pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("analyze operations")
    browser = Browser(engine, cache_seconds=0, cheap_count_rows=0)  # type: ignore[arg-type]
    described = browser.describe("public", "operations")
    plain = browser.browse(described, BrowseParams())
    assert not plain.count.exact and plain.count.value == 5000 and plain.count.text == "about 5k rows"
    filtered = browser.browse(described, BrowseParams(filters=(Filter("side", "eq", "BUY"),)))
    assert not filtered.count.exact and filtered.count.note == "estimate from the query plan"
    assert filtered.count.value is not None and 1000 < filtered.count.value < 4000
    exact = browser.browse(described, BrowseParams(filters=(Filter("side", "eq", "BUY"),), count_exact=True))
    buys = pg.execute("select count(*) from operations where side = 'BUY'").fetchone()
    assert exact.count.exact and buys and exact.count.value == buys[0]


def test_list_counts_small_tables_never_analysed(browser: Browser, pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("create table fresh (id int primary key)")
    pg.execute("insert into fresh select generate_series(1, 7)")
    rows = {(r.schema, r.name): r for r in browser.relations("")}
    fresh = rows[("public", "fresh")].rows
    assert fresh is not None and fresh.exact and fresh.value == 7
    assert [r.name for r in browser.relations("FRE")] == ["fresh"]


def test_list_sizes_come_from_the_catalog_once_analysed(browser: Browser,
                                                        pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """An analysed table's size is its pages on record (table, TOAST, indexes); a new one's is measured."""
    pg.execute("create table sized (id int primary key, body text, tag int)")
    pg.execute("create index sized_tag on sized (tag)")
    # 4,800 incompressible characters a row: stored out of line, in the TOAST table
    pg.execute("""insert into sized select g, (select string_agg(md5(random()::text || g || i), '')
                                                 from generate_series(1, 150) i), g % 7
                    from generate_series(1, 1000) g""")
    fresh = {r.name: r for r in browser.relations("sized")}["sized"]
    exact = pg.execute("select pg_total_relation_size('sized')").fetchone()
    assert exact and not fresh.size_estimated and fresh.total_bytes == exact[0]  # never analysed: the files
    pg.execute("vacuum analyze sized")
    analysed = {r.name: r for r in browser.relations("sized")}["sized"]
    total = pg.execute("select pg_total_relation_size('sized')").fetchone()
    # the files also hold free-space and visibility maps, and a TOAST index's pages on record may lag: within 5 %
    assert total and analysed.size_estimated and abs(analysed.total_bytes - total[0]) < 0.05 * total[0]
    table_only = pg.execute("select pg_relation_size('sized')").fetchone()
    assert table_only and analysed.total_bytes > 2 * table_only[0]  # TOASTed bodies and indexes are counted
