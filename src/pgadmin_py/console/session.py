"""One console connection: opened per run, never pooled, so no session setting a user changes
(``SET ...``) can leak into the connections the rest of the app uses.

It also turns psycopg's values, types and errors into the console's plain values.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import pq

from pgadmin_py.console.model import Column, Notice, QueryError
from pgadmin_py.console.statements import line_col
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import direct_connection

PURPOSE = "console"  # application_name "pgadmin-py console" in pg_stat_activity
NUMERIC_TYPES = {"smallint", "integer", "bigint", "numeric", "real", "double precision", "money", "oid"}


@contextmanager
def console_connection(url: DatabaseUrl, *, read_only: bool, statement_timeout_ms: int) -> Iterator[psycopg.Connection]:
    """A fresh autocommit connection (we issue BEGIN ourselves), closed afterwards whatever happened."""
    options = f"-c statement_timeout={statement_timeout_ms}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    conn = direct_connection(url, PURPOSE, connect_timeout=5, options=options)
    try:
        yield conn
    finally:
        conn.close()


def in_transaction(conn: psycopg.Connection) -> bool:
    return conn.info.transaction_status in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)


class NoticeCollector:
    """Gathers NOTICE/WARNING messages of the statement being run."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.items: list[Notice] = []
        conn.add_notice_handler(self._on_notice)

    def _on_notice(self, diag: psycopg.errors.Diagnostic) -> None:
        self.items.append(Notice(diag.severity or "NOTICE", diag.message_primary or ""))

    def take(self) -> tuple[Notice, ...]:
        taken, self.items = tuple(self.items), []
        return taken


def type_names(conn: psycopg.Connection, oids: set[int]) -> dict[int, str]:
    """``format_type`` names for the given type OIDs (enums and domains included)."""
    names: dict[int, str] = {}
    unknown: list[int] = []
    for oid in oids:
        info = conn.adapters.types.get(oid)
        if info is None:
            unknown.append(oid)
        else:
            names[oid] = _PRETTY.get(info.name, info.name)
    if unknown:
        rows = conn.execute("select oid::int, format_type(oid, null) from pg_type where oid = any(%s)",
                            [unknown]).fetchall()
        names.update({int(oid): str(name) for oid, name in rows})
    return names


_PRETTY = {"int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
           "bool": "boolean", "varchar": "character varying", "bpchar": "character", "timestamptz":
           "timestamp with time zone", "timestamp": "timestamp without time zone", "timetz": "time with time zone"}


def columns_of(conn: psycopg.Connection, cursor: psycopg.Cursor[Any]) -> tuple[Column, ...]:
    description = cursor.description or []
    names = type_names(conn, {col.type_code for col in description})
    out = []
    for col in description:
        type_name = names.get(col.type_code, str(col.type_code))
        out.append(Column(col.name, type_name, type_name in NUMERIC_TYPES))
    return tuple(out)


def copy_out(conn: psycopg.Connection, sql: str, cap: int) -> tuple[list[tuple[str | None, ...]], int]:
    """The lines ``COPY ... TO STDOUT`` sends (at most ``cap + 1`` kept), and how many it sent."""
    kept: list[tuple[str | None, ...]] = []
    sent = 0
    pending = b""
    with conn.cursor().copy(sql) as copy:
        for block in copy:
            *complete, pending = (pending + bytes(block)).split(b"\n")
            sent += len(complete)
            room = max(0, cap + 1 - len(kept))
            kept.extend((line.decode(conn.info.encoding, "replace"),) for line in complete[:room])
    if pending:
        sent += 1
        if len(kept) <= cap:
            kept.append((pending.decode(conn.info.encoding, "replace"),))
    return kept, sent


def display(value: object) -> str | None:
    """How a value is shown (and exported): None stays None, everything else a string."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    return str(value)


def query_error(exc: psycopg.Error, editor_text: str, statement_offset: int, prefix_len: int = 0,
                reason: str = "error") -> QueryError:
    """PostgreSQL's error, with its 1-based position mapped to a line and column of the editor text."""
    diag = exc.diag
    offset = line = column = None
    line_text = ""
    position = diag.statement_position
    if position and position.isdigit() and int(position) > prefix_len:
        offset = statement_offset + int(position) - 1 - prefix_len
        line, column = line_col(editor_text, offset)
        line_text = editor_text.splitlines()[line - 1] if editor_text.splitlines() else ""
    message = diag.message_primary or str(exc).strip() or type(exc).__name__
    return QueryError(message, diag.sqlstate, diag.message_detail, diag.message_hint, offset, line, column,
                      line_text, reason)


class RunRegistry:
    """The runs in flight: run id -> backend pid, so the page can cancel its own query and nothing else."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pids: dict[str, int] = {}
        self._cancelled: set[str] = set()

    @contextmanager
    def running(self, run_id: str, pid: int) -> Iterator[str]:
        run_id = run_id or uuid.uuid4().hex
        with self._lock:
            self._pids[run_id] = pid
            self._cancelled.discard(run_id)
        try:
            yield run_id
        finally:
            with self._lock:
                self._pids.pop(run_id, None)

    def pid_of(self, run_id: str) -> int | None:
        with self._lock:
            return self._pids.get(run_id)

    def mark_cancelled(self, run_id: str) -> None:
        with self._lock:
            self._cancelled.add(run_id)

    def was_cancelled(self, run_id: str) -> bool:
        with self._lock:
            return run_id in self._cancelled

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._cancelled.discard(run_id)


def cancel_backend(url: DatabaseUrl, pid: int) -> bool:
    """``pg_cancel_backend`` from a separate short connection."""
    with direct_connection(url, PURPOSE, connect_timeout=5) as conn:
        row = conn.execute("select pg_cancel_backend(%s)", [pid]).fetchone()
    return bool(row and row[0])


class Watchdog:
    """A backstop for the statement timeout: if a statement outlives it (someone found a way to lift
    ``statement_timeout``), cancel it from outside."""

    def __init__(self, seconds: float, on_fire: Callable[[], None]) -> None:
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._on_fire = on_fire
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        self._on_fire()

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def elapsed_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
