"""Streamed export: the server writes every byte, Python forwards them in batches.

The usual path is ``COPY (query) TO STDOUT`` (query.copy_query): PostgreSQL formats and sends rows
while we forward the previous ones, so the export runs near COPY's own speed. Rows are gathered
into chunks of about :data:`CHUNK_BYTES` (a row is one COPY message: yielding each would cost more
than the row), so memory stays flat whatever the table size. Tables whose JSON could hold a raw line
break (query.copy_safe_json) take the old path: a server-side (named) cursor fetched in batches,
``row_to_json`` per row. Both give the same bytes: NULL is an empty CSV field (as ``COPY ... CSV``
writes it) and ``null`` in JSON.
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
CHUNK_BYTES = 256 * 1024


def header(columns: tuple[str, ...]) -> bytes:
    """The CSV header line, quoted by Python's csv rules (as the export always wrote it)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue().encode("utf-8")


def stream_copy(engine: Engine, stmt: sql.Composed, params: dict[str, Any], fmt: str,
                columns: tuple[str, ...]) -> Iterator[bytes]:
    """Yield the export of a ``COPY ... TO STDOUT`` statement; the connection is held only while it runs.

    ``params`` are bound by psycopg on the client (COPY takes no server-side parameters): each value
    is sent as a quoted literal, never as SQL text.
    """
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        try:
            with raw.cursor() as cur:
                cur.execute("SELECT set_config('client_encoding', 'UTF8', true)")  # bytes go out as they come
                with cur.copy(stmt, params or None) as copy:
                    yield from _chunks(copy, fmt, columns)
        finally:
            raw.rollback()


def _chunks(copy: psycopg.Copy, fmt: str, columns: tuple[str, ...]) -> Iterator[bytes]:
    buf = bytearray(header(columns) if fmt == "csv" else b"[\n" if fmt == "json" else b"")
    first = True
    for data in copy:
        buf += data
        if len(buf) >= CHUNK_BYTES:
            yield _shaped(buf, fmt, first)
            first = False
            buf = bytearray()
    if buf or first:
        yield _shaped(buf, fmt, first)
    if fmt == "json":
        yield b"\n]\n"


def _shaped(buf: bytearray, fmt: str, first: bool) -> bytes:
    """JSON arrays separate rows with ``,\\n``: COPY ends each with ``\\n`` (no JSON row holds a raw one)."""
    if fmt != "json" or not buf:
        return bytes(buf)
    start = 2 if first else 0  # past the "[\n" that opens the array
    body = bytes(buf[start:-1]).replace(b"\n", b",\n")
    return (b"[\n" if first else b",\n") + body


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
