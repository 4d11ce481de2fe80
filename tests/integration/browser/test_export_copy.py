"""The COPY export path writes exactly the bytes of the server-side cursor path it replaced."""

from __future__ import annotations

import gc
import json

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine

from pgadmin_py.browser.export import CHUNK_BYTES, stream_copy
from pgadmin_py.browser.filters import Params, check_filters, where_parts
from pgadmin_py.browser.params import BrowseParams
from pgadmin_py.browser.service import Browser
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import create_db_engine
from support.export_oracle import export_query, stream_rows


@pytest.fixture
def typed(pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("create type mood as enum ('ok', 'meh')")
    pg.execute("""create table typed (id int primary key, t text, c char(5), b bool, ip inet, n numeric, f float8,
                  ts timestamptz, d date, a int[], j jsonb, m mood, by bytea, iv interval, u uuid)""")
    pg.execute(r"""insert into typed values
        (1, 'a, "b"', 'ab', true, '10.0.0.1', 'NaN', 'Infinity', '2020-01-01 12:00+05:30', '2020-01-01', '{1,NULL}',
         '{"k": "v\n"}', 'ok', '\x00ff', '1 day', '6a3c0a2c-3b61-4a8e-9a59-2a1f7f4f3b11'),
        (2, E'back\\slash\nline', null, false, '10.0.0.0/8', -1.50, -0.0, 'infinity', '0044-03-15 BC', '{}',
         '"s"', 'meh', '', '-2 hours', null),
        (3, '', '', null, null, null, null, null, null, null, null, null, null, null, null),
        (4, 'ünï ✓ 😀 it''s', 'x', true, '::1', 1e20, 1e-7, '1999-12-31 23:59:59.5', '-infinity', '{3}', '[]',
         null, null, null, null)""")
    pg.execute("insert into typed select g, 'row ' || g, 'c', g % 2 = 0, null, g, g, now(), null, null, null, null,"
               " null, null, null from generate_series(5, 6000) g")  # more than one COPY chunk of CSV
    pg.execute("create table raw_json (id int primary key, j json)")
    pg.execute("""insert into raw_json values (1, E'{\\n  "a" : 1 }'), (2, null), (3, '[1,  2]')""")


def _old(engine: Engine, browser: Browser, name: str, params: BrowseParams, fmt: str) -> bytes:
    described = browser.describe("public", name)
    table = described.table
    checked, problems = check_filters(table, params)
    assert not problems
    bind = Params()
    filters = where_parts(table, checked, params.search, bind)
    stmt = export_query(table, browser.order_for(table, params), filters, fmt)
    return b"".join(stream_rows(engine, stmt, bind.values, fmt, table.column_names))


@pytest.mark.usefixtures("typed")
@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize(("name", "query"), [
    ("typed", []),
    ("typed", [("_sort", "t"), ("_desc", "1")]),
    ("typed", [("t__contains", "a, \"b"), ("_q", "\\")]),
    ("typed", [("_q", "it's"), ("d__lte", "2020-01-01")]),
    ("typed", [("b__eq", "true"), ("n__gte", "-2"), ("id__lte", "3000")]),
    ("typed", [("t__eq", "nothing")]),
    ("raw_json", []),
    ("operations", [("side__eq", "SELL"), ("_sort", "price")]),
])
def test_copy_export_equals_the_cursor_export(engine: Engine, browser: Browser, name: str,
                                              query: list[tuple[str, str]], fmt: str) -> None:
    params = BrowseParams.from_query(query)
    export = browser.export(browser.describe("public", name), params, fmt)
    chunks = list(export.chunks)
    ours = b"".join(chunks)
    assert ours == _old(engine, browser, name, params, fmt)
    assert max(len(c) for c in chunks) < CHUNK_BYTES + 64 * 1024  # streamed in bounded chunks
    if fmt == "json":
        json.loads(ours)
    elif fmt == "jsonl" and name != "raw_json":  # json keeps raw line breaks; the old path wrote them too
        [json.loads(line) for line in ours.decode().splitlines()]


@pytest.mark.usefixtures("typed")
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # an error while closing fails
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_abandoned_export_gives_back_a_clean_connection(engine: Engine, browser: Browser, fmt: str,
                                                           pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """A download cancelled half-way (the generator closed inside the COPY) must not poison the pool."""
    pg.execute("insert into typed select g, repeat('x', 200) from generate_series(10000, 40000) g")
    chunks = browser.export(browser.describe("public", "typed"), BrowseParams.from_query([]), fmt).chunks
    next(chunks)
    chunks.close()  # what Litestar does when the browser goes away
    gc.collect()  # the inner generators close now, not at some later test
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    for _ in range(8):  # every pooled connection answers a query
        with engine.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from typed").scalar_one() == 36_001
    copying = pg.execute("select count(*) from pg_stat_activity where query ilike 'copy%' and state = 'active'"
                         " and pid <> pg_backend_pid()").fetchone()
    assert copying == (0,)


@pytest.mark.usefixtures("typed")
def test_a_statement_timeout_inside_the_copy_is_a_query_canceled(demo_db: DatabaseUrl, browser: Browser) -> None:
    slow = create_db_engine(demo_db, read_only=False, statement_timeout_ms=200)
    try:
        table = browser.describe("public", "typed").table
        stmt = sql.SQL("COPY (SELECT id, pg_sleep(0.05) FROM typed ORDER BY id) TO STDOUT")
        with pytest.raises(psycopg.errors.QueryCanceled):
            list(stream_copy(slow, stmt, {}, table.column_names))
        with slow.connect() as conn:
            assert conn.exec_driver_sql("select 1").scalar_one() == 1
    finally:
        slow.dispose()


@pytest.mark.usefixtures("typed")
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_an_export_whose_connection_dies_fails_cleanly(engine: Engine, browser: Browser,
                                                       pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("insert into typed select g, repeat('x', 200) from generate_series(10000, 60000) g")
    chunks = browser.export(browser.describe("public", "typed"), BrowseParams.from_query([]), "jsonl").chunks
    next(chunks)
    killed = pg.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                        " where query ilike 'copy%' and pid <> pg_backend_pid()").fetchall()
    assert killed == [(True,)]
    with pytest.raises(psycopg.OperationalError):
        for _ in chunks:
            pass
    gc.collect()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    with engine.connect() as conn:  # the pool hands out a working connection
        assert conn.exec_driver_sql("select count(*) from typed").scalar_one() == 56_001
