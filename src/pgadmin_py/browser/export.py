"""Streamed export: a server-side (named) cursor fetched in batches, each batch written out as bytes.

Memory stays flat whatever the table size: at most one batch of rows is held at a time. The server
does the type formatting (``::text`` for CSV, ``row_to_json`` for JSON), so Python only joins
strings. NULL is an empty CSV field (as ``COPY ... CSV`` writes it) and ``null`` in JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine

FORMATS = {  # format -> (media type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "jsonl": ("application/x-ndjson", "jsonl"),
}
BATCH_ROWS = 10_000


def stream_rows(engine: Engine, stmt: sql.Composed, params: dict[str, Any], fmt: str,
                columns: tuple[str, ...]) -> Iterator[bytes]:
    """Yield the export as byte chunks; the connection is held only while the generator runs."""
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
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(columns)
        rows = cur.fetchmany(BATCH_ROWS)
        yield (header.getvalue() + "".join(r[0] + "\n" for r in rows)).encode("utf-8")
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
