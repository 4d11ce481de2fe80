"""stream_json (COPY text + JSON assembled in Python) writes exactly the bytes of row_to_json."""

from __future__ import annotations

import json

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine

from pgadmin_py.browser import query as q
from pgadmin_py.browser.export import CHUNK_BYTES, stream_json
from pgadmin_py.browser.filters import Params, check_filters, where_parts
from pgadmin_py.browser.params import BrowseParams
from pgadmin_py.browser.service import Browser
from support.export_oracle import export_query, stream_rows


@pytest.fixture
def odd(pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("create type mood as enum ('ok', 'm\"e\\h', 'null')")
    pg.execute("create domain posint as int check (value > 0)")
    pg.execute("""create table odd (id int primary key, t text, v varchar(9), c char(4), nm name, b bool, n numeric,
                  r real, f float8, s smallint, big bigint, ts timestamptz, tsl timestamp, d date, tm time,
                  a text[], ia int[], j jsonb, jj json, m mood, by bytea, iv interval, u uuid, ip inet, pi posint,
                  "we""ird, ✓" text, " " text)""")
    pg.execute(r"""insert into odd values
        (1, 'null', '', 'ab', 'nm', true, 'NaN', 'Infinity', '-Infinity', -3, 9007199254740993,
         '2020-01-01 12:00+05:30', '2020-01-01 12:00:00.5', '2020-02-29', '12:34', '{"a b",NULL,"c\"d"}',
         '{1,NULL}', '{"k": [1, "v\n"]}', E'{"a" :\n 1}', 'm"e\h', '\x00ff', '1 day 2 hours', null, '::1', 7,
         '%s', 'x'),
        (2, E'tab\there\x01\x02 \\ "q" \x1f', 'ü✓😀', null, null, false, 1.50, 1e-7, 1e300, null, null,
         'infinity', '-infinity', '0044-03-15 BC', null, '{}', '{}', 'null', '"s"', 'null', '', '-2 hours',
         '6a3c0a2c-3b61-4a8e-9a59-2a1f7f4f3b11', '10.0.0.0/8', null, null, null),
        (3, '', null, '', '', null, -0.0, -0.0, 0.1, 0, 0, null, null, null, null, null, null, null, null, null,
         null, null, null, null, null, '\.', '')""")
    pg.execute("insert into odd (id, t, v, n, ts, m) select g, 'row ' || g, 'v' || g, g / 7.0,"
               " timestamptz '2020-01-01' + g * interval '1 minute', 'ok' from generate_series(4, 9000) g")
    pg.execute("insert into odd (id, t, n) values (9001, E'line\\nbreak\\r', 'NaN'), (9002, 'last', 1)")
    pg.execute("create table one (t text)")
    pg.execute(r"insert into one values ('\.'), ('null'), (''), (null), ('ok')")


def _export(engine: Engine, browser: Browser, name: str, params: BrowseParams, fmt: str, new: bool) -> list[bytes]:
    table = browser.describe("public", name).table
    checked, problems = check_filters(table, params)
    assert not problems
    bind = Params()
    filters = where_parts(table, checked, params.search, bind)
    order = browser.order_for(table, params)
    if new:
        rows = q.export_rows(table, order, filters)
        return list(stream_json(engine, rows, bind.values, fmt, table.column_names))
    stmt = export_query(table, order, filters, fmt)
    return list(stream_rows(engine, stmt, bind.values, fmt, table.column_names))


@pytest.mark.usefixtures("odd")
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize(("name", "query"), [
    ("odd", []),
    ("odd", [("_sort", "t"), ("_desc", "1")]),
    ("odd", [("t__contains", "null"), ("_q", "\\")]),
    ("odd", [("id__lte", "3")]),
    ("odd", [("t__eq", "nothing")]),
    ("one", []),
    ("one", [("t__eq", "nothing")]),
    ("operations", []),
    ("operations", [("side__eq", "SELL"), ("_sort", "price")]),
    ("clients", []),
])
def test_stream_json_equals_row_to_json(engine: Engine, browser: Browser, name: str, query: list[tuple[str, str]],
                                        fmt: str) -> None:
    params = BrowseParams.from_query(query)
    chunks = _export(engine, browser, name, params, fmt, new=True)
    ours = b"".join(chunks)
    assert ours == b"".join(_export(engine, browser, name, params, fmt, new=False))
    assert max(len(c) for c in chunks) < 2 * CHUNK_BYTES  # a chunk and one encoded block at most
    if fmt == "json":
        json.loads(ours)  # a json value's raw line break included


@pytest.mark.usefixtures("odd")
def test_stream_json_lines_parse(engine: Engine, browser: Browser) -> None:
    lines = b"".join(_export(engine, browser, "odd", BrowseParams.from_query([("id__gte", "2")]), "jsonl", True))
    rows = [json.loads(line) for line in lines.decode().splitlines()]
    assert rows[0]["t"] == 'tab\there\x01\x02 \\ "q" \x1f' and rows[0]["n"] == 1.5 and rows[0]["c"] is None
    assert rows[1]["n"] == -0.0 and rows[1]['we"ird, ✓'] == "\\." and rows[1][" "] == ""
    assert [r["n"] for r in rows[-2:]] == ["NaN", 1]


def test_stream_json_statement_errors_surface(engine: Engine, browser: Browser,
                                              pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("create table boom (id int primary key, x int)")
    pg.execute("insert into boom select g, 1 - (g = 5000)::int from generate_series(1, 9000) g")
    table = browser.describe("public", "boom").table
    bad = sql.SQL("SELECT id, 10 / x AS x FROM boom ORDER BY id")
    with pytest.raises(psycopg.errors.DivisionByZero):
        list(stream_json(engine, bad, {}, "jsonl", table.column_names))
    assert b"".join(stream_json(engine, sql.SQL("SELECT id, x FROM boom ORDER BY id LIMIT 2"), {}, "jsonl",
                                table.column_names)) == b'{"id":1,"x":1}\n{"id":2,"x":1}\n'
