"""The export as PostgreSQL writes it row by row (server-side cursor, row_to_json / server-built CSV lines).

This was the product's first export path; the COPY-based paths replaced it and are checked against
it byte for byte, so it lives on here as the oracle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from pgadmin_py.browser.export import header
from pgadmin_py.browser.kinds import kind_of
from pgadmin_py.browser.query import CSV_SAFE_KINDS, Order, export_rows
from pgadmin_py.catalog.tables import Column, TableInfo

BATCH_ROWS = 10_000


def export_query(table: TableInfo, order: Order, filters: list[sql.Composable], fmt: str) -> sql.Composed:
    """Every row of the view in its order, shaped for the export format (text columns or one JSON text).

    Fetched through a server-side cursor, one row at a time.
    """
    inner = export_rows(table, order, filters)
    if fmt == "csv":
        fields = sql.SQL(", ").join(csv_field(c) for c in table.columns)
        return sql.SQL("SELECT concat_ws(',', {}) FROM ({}) AS x").format(fields, inner)
    return sql.SQL("SELECT row_to_json(x)::text FROM ({}) AS x").format(inner)


def csv_field(col: Column) -> sql.Composable:
    """One CSV field built by the server: NULL is an empty field, anything else of a text-like type is quoted.

    Quoting every text-like value (RFC 4180 allows it) costs the server one ``replace`` instead of a
    scan for special characters, and letting PostgreSQL write whole lines keeps Python to one string
    per row: together they keep the export near ``COPY`` speed. ``""`` (empty string) stays distinct
    from NULL, as in ``COPY ... CSV``.
    """
    ident = sql.Identifier(col.name)
    if kind_of(col) in CSV_SAFE_KINDS:
        return sql.SQL("coalesce({}::text, '')").format(ident)
    return sql.SQL("coalesce('\"' || replace({}::text, '\"', '\"\"') || '\"', '')").format(ident)


def stream_rows(engine: Engine, stmt: sql.Composed, params: dict[str, Any], fmt: str,
                columns: tuple[str, ...]) -> Iterator[bytes]:
    """The fallback: a server-side cursor over query.export_query, fetched in batches."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        try:
            with raw.cursor(name="pgadmin_py_export") as cur:
                cur.itersize = BATCH_ROWS
                cur.execute(stmt, params)
                yield from _formatted(cur, fmt, columns)
        finally:
            raw.rollback()


def _formatted(cur: psycopg.ServerCursor[Any], fmt: str, columns: tuple[str, ...]) -> Iterator[bytes]:
    if fmt == "csv":  # the server wrote each line (query.csv_field); only the header is written here
        rows = cur.fetchmany(BATCH_ROWS)
        yield header(columns) + "".join(r[0] + "\n" for r in rows).encode("utf-8")
        while rows := cur.fetchmany(BATCH_ROWS):
            yield ("\n".join(r[0] for r in rows) + "\n").encode("utf-8")
    elif fmt == "jsonl":
        rows = cur.fetchmany(BATCH_ROWS)
        yield b"" if not rows else ("\n".join(r[0] for r in rows) + "\n").encode("utf-8")
        while rows := cur.fetchmany(BATCH_ROWS):
            yield ("\n".join(r[0] for r in rows) + "\n").encode("utf-8")
    else:
        rows = cur.fetchmany(BATCH_ROWS)
        yield ("[\n" + ",\n".join(r[0] for r in rows)).encode("utf-8")
        while rows := cur.fetchmany(BATCH_ROWS):
            yield (",\n" + ",\n".join(r[0] for r in rows)).encode("utf-8")
        yield b"\n]\n"
