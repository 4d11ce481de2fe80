"""Streamed export with constant memory, at the speed of ``COPY ... TO STDOUT``.

CSV is ``COPY (query) TO STDOUT`` (query.copy_query): PostgreSQL formats and sends rows while we
forward the previous ones. JSON and JSON Lines (:func:`stream_json`) take plain column text through
COPY and build each object in Python (jsonlines.py), byte for byte what ``row_to_json`` writes but
about twice as fast. Rows are gathered into chunks of about :data:`CHUNK_BYTES` (a row is one COPY
message: yielding each would cost more than the row). NULL is an empty CSV field (as ``COPY ... CSV``
writes it) and ``null`` in JSON.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq, sql
from sqlalchemy import Engine

from pgadmin_py.browser import query as q
from pgadmin_py.browser.copyout import copy_out
from pgadmin_py.browser.errors import QueryTimeoutError
from pgadmin_py.browser.filters import LiteralParams, check_filters, where_parts
from pgadmin_py.browser.jsonlines import Encoder, column_kinds, copy_statement
from pgadmin_py.browser.params import BadParams, BrowseParams
from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.core.errors import NotFound

FORMATS = {  # format -> (media type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "jsonl": ("application/x-ndjson", "jsonl"),
}
CHUNK_BYTES = 256 * 1024
JSON_BATCH_BYTES = 64 * 1024  # COPY text encoded together by stream_json


def header(columns: tuple[str, ...]) -> bytes:
    """The CSV header line, quoted by Python's csv rules (as the export always wrote it)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue().encode("utf-8")


def stream_copy(engine: Engine, stmt: sql.Composed, params: dict[str, Any],
                columns: tuple[str, ...]) -> Generator[bytes, None, None]:
    """Yield the CSV export of a ``COPY ... TO STDOUT`` statement; the connection is held only while it runs.

    ``params`` are bound by psycopg on the client (COPY takes no server-side parameters): each value
    is sent as a quoted literal, never as SQL text.
    """
    with _copying(engine) as raw:
        pending = [header(columns)]
        size = len(pending[0])
        for batch in _copy(raw, stmt, params, CHUNK_BYTES):
            pending += batch
            size += sum(map(len, batch))
            if size >= CHUNK_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
        yield b"".join(pending)


def stream_json(engine: Engine, rows: sql.Composable, params: dict[str, Any], fmt: str,
                columns: tuple[str, ...]) -> Generator[bytes, None, None]:
    """JSON or JSON Lines of the row query ``rows`` (query.export_rows), the bytes ``row_to_json`` writes.

    The server sends plain column text through COPY and jsonlines.Encoder assembles the objects, a
    block of rows at a time: about twice as fast as ``row_to_json`` on the server. Any table works,
    a ``json`` value with a raw line break included (COPY sends each row as one message).
    """
    with _copying(engine) as raw:
        kinds = column_kinds(raw, rows, params)
        encoder = Encoder(columns, kinds, b",\n" if fmt == "json" else b"\n")
        batches = _copy(raw, copy_statement(rows, columns, kinds), params, JSON_BATCH_BYTES)
        yield from _json_chunks((encoder.block(b) for b in batches), fmt)


@contextmanager
def _copying(engine: Engine) -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection for one export, in a transaction rolled back at the end.

    An export abandoned half-way (the download was cancelled) leaves the connection inside its COPY,
    and one whose server went away has no connection left: either is closed rather than pooled.
    """
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        try:
            with raw.cursor() as cur:
                cur.execute("SELECT set_config('client_encoding', 'UTF8', true)")  # bytes go out as they come
            yield raw
        finally:
            status = raw.pgconn.transaction_status
            if raw.broken or status in (pq.TransactionStatus.ACTIVE, pq.TransactionStatus.UNKNOWN):
                conn.invalidate()  # inside the COPY, or the server went away: never back to the pool
            else:
                raw.rollback()


def _copy(raw: psycopg.Connection[Any], stmt: sql.Composed, params: dict[str, Any],
          max_bytes: int) -> Iterator[list[bytes]]:
    with psycopg.ClientCursor(raw) as client:  # COPY takes no server-side parameters: bound on the client
        text = client.mogrify(stmt, params or None)
    return copy_out(raw, text.encode("utf-8"), max_bytes)


def _json_chunks(blocks: Iterator[bytes], fmt: str) -> Iterator[bytes]:
    """Blocks gathered into chunks of about CHUNK_BYTES; a JSON array drops its last row's ``,``."""
    pending = [b"[\n" if fmt == "json" else b""]
    size = 0
    for block in blocks:
        if size >= CHUNK_BYTES:  # flushed before adding: the last block stays pending
            yield b"".join(pending)
            pending, size = [], 0
        pending.append(block)
        size += len(block)
    if fmt == "json":
        empty = pending == [b"[\n"]
        pending[-1] = pending[-1] + b"\n]\n" if empty else pending[-1][:-2] + b"\n]\n"
    yield b"".join(pending)


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    media_type: str
    chunks: Iterator[bytes]


def export_view(engine: Engine, table: TableInfo, order: q.Order, params: BrowseParams, fmt: str) -> Export:
    """The export of one view of a table; the query runs before this returns, so an error becomes a page
    rather than a download cut short."""
    if fmt not in FORMATS:
        raise NotFound(f'There is no export format "{fmt[:20]}".', "Export as csv, json or jsonl.")
    checked, problems = check_filters(table, params)
    if problems:
        first = problems[0]
        raise BadParams(f'The filter on "{first.filter.column}" is not valid: {first.message}.',
                        "Fix the filter on the table page, then export again.")
    bind = LiteralParams()  # COPY: values as psycopg literals, no placeholders
    filters = where_parts(table, checked, params.search, bind)
    if fmt == "csv":
        chunks = stream_copy(engine, q.copy_query(table, order, filters, fmt), bind.values, table.column_names)
    else:
        chunks = stream_json(engine, q.export_rows(table, order, filters), bind.values, fmt, table.column_names)
    try:
        first_chunk = next(chunks)
    except psycopg.errors.QueryCanceled:
        raise QueryTimeoutError() from None
    media, ext = FORMATS[fmt]

    def everything() -> Iterator[bytes]:
        try:
            yield first_chunk
            yield from chunks
        finally:  # closed before its second chunk (a cancelled download): give the connection back now, not
            chunks.close()  # whenever the collector gets to the inner generator (Python 3.13 keeps it longer)

    return Export(f"{_file_safe(table.name)}.{ext}", media, everything())


def _file_safe(name: str) -> str:
    """A table name as a download file name: no path separators or control characters."""
    return re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", name).strip(" .") or "export"
