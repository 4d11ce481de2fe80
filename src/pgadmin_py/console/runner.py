"""Run a batch: every statement in one transaction, read-only unless writes are allowed and confirmed.

Safety, in layers: every statement is parsed with PostgreSQL's own parser and, unless writes are allowed
and confirmed, must pass the read-only guard (:mod:`guard`: only reads, only IMMUTABLE or STABLE
functions, COPY only to the client) before anything runs; statements that would end our transaction or
lift our limits are refused in every mode; the connection itself is read-only in the app's read-only mode;
the batch runs in a ``READ ONLY`` transaction unless the user allowed writes, and a snapshot is taken
before the user's first statement, so ``SET TRANSACTION READ WRITE`` can no longer lift it; a batch that
wrote although the guard saw no write is rolled back and sent to confirmation; the statement timeout is
set on the connection and in the transaction, and a watchdog cancels a statement that outlives it anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import psycopg

from pgadmin_py.console.model import (
    Batch,
    Column,
    Confirmation,
    ConsoleLimits,
    Mode,
    QueryError,
    ResultSet,
    RunRequest,
)
from pgadmin_py.console.session import (
    NoticeCollector,
    RunRegistry,
    Watchdog,
    cancel_backend,
    columns_of,
    console_connection,
    copy_out,
    display,
    elapsed_ms,
    in_transaction,
    query_error,
)
from pgadmin_py.console.statements import SqlSyntaxError, Statement, line_col, split
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import ReadOnlyError

if TYPE_CHECKING:  # the guard parses with pglast, imported when a batch is first checked
    from pgadmin_py.console.guard import Inspection

CURSOR = "pgadmin_console_rows"
DECLARE_PREFIX = f"DECLARE {CURSOR} NO SCROLL CURSOR FOR "
QUERY_CANCELED = "57014"
READ_ONLY_TRANSACTION = "25006"
SYNTAX_ERROR = "42601"
WRITES_HINT = "Tick “Allow writes” to run it; you confirm before anything runs."
READ_ONLY_HINT = "The server runs read-only (READ_ONLY=1): the console runs only statements that cannot write."


def confirm_token(sql: str, selection: tuple[int, int] | None, action: str = "run") -> str:
    """Binds a confirmation to the exact text (and action) it was given for."""
    return hashlib.sha256(f"{action}\x00{selection}\x00{sql}".encode()).hexdigest()[:20]


def positioned(editor_text: str, offset: int, message: str, hint: str | None, reason: str = "refused",
               sqlstate: str | None = None) -> QueryError:
    """A QueryError pointing at ``offset`` of the editor text."""
    line, column = line_col(editor_text, offset)
    lines = editor_text.splitlines()
    return QueryError(message, sqlstate, None, hint, offset, line, column,
                      lines[line - 1] if 0 < line <= len(lines) else "", reason)


class Runner:
    """Runs batches against the user's database with the console's limits."""

    def __init__(self, url: DatabaseUrl, *, app_read_only: bool, limits: ConsoleLimits,
                 registry: RunRegistry) -> None:
        self.url = url
        self.app_read_only = app_read_only
        self.limits = limits
        self.registry = registry

    def statements(self, request: RunRequest) -> list[Statement]:
        text, base = request.target
        return split(text, base)

    def screen(self, request: RunRequest, what: str = "run") -> list[Inspection] | QueryError:
        """Parse the batch and read each tree; a QueryError when it does not parse, is empty, or holds a
        statement the console never runs (whatever the mode)."""
        if request.allow_writes and self.app_read_only:
            raise ReadOnlyError("Running SQL with writes allowed")
        try:
            statements = self.statements(request)
        except SqlSyntaxError as exc:
            return positioned(request.sql, exc.offset, exc.message, None, "error", SYNTAX_ERROR)
        if not statements:
            return QueryError(f"There is no SQL to {what}.", reason="refused",
                              hint="Type a query, e.g. select now();")
        from pgadmin_py.console.guard import inspect

        inspections = [inspect(s, timeout_ms=self.limits.statement_timeout_ms) for s in statements]
        for inspection in inspections:
            for finding in inspection.findings:
                if finding.never:
                    return positioned(request.sql, inspection.statement.offset + (finding.offset or 0),
                                      finding.message, "Remove the statement: the console runs each batch in one "
                                      "transaction of its own, with its own limits.")
        return inspections

    def gate(self, conn: psycopg.Connection, request: RunRequest, inspections: list[Inspection], token: str,
             action: str) -> QueryError | Confirmation | None:
        """The read-only guard's verdict, asked on the console's connection (its first query takes the
        transaction's snapshot): None when every statement is a read; else a refusal (writes not allowed)
        or the confirmation that lists what may write (writes allowed, not yet confirmed)."""
        from pgadmin_py.console.guard import review

        flagged = [(statement, findings) for statement, findings in review(conn, inspections) if findings]
        if not flagged:
            return None
        if request.allow_writes:
            return Confirmation(request.sql, request.selection, tuple(s for s, _ in flagged), token,
                                reasons=tuple(f[0].message for _, f in flagged), action=action)
        statement, findings = flagged[0]
        first = findings[0]
        return positioned(request.sql, statement.offset + (first.offset or 0), first.message,
                          READ_ONLY_HINT if self.app_read_only else WRITES_HINT)

    def begin(self, conn: psycopg.Connection, read_only: bool) -> None:
        conn.execute("BEGIN READ ONLY" if read_only else "BEGIN READ WRITE")
        conn.execute(f"SET LOCAL statement_timeout = {int(self.limits.statement_timeout_ms)}")

    def run(self, request: RunRequest) -> Batch | Confirmation:
        started = time.perf_counter()
        batch_id = uuid.uuid4().hex
        screened = self.screen(request)
        if isinstance(screened, QueryError):
            return Batch(batch_id, request.sql, (), Mode.READ_ONLY, 0.0, refused=screened)
        statements = [i.statement for i in screened]
        token = confirm_token(request.sql, request.selection)
        writes = request.allow_writes
        confirmed = writes and request.confirm == token
        read_only = self.app_read_only or not writes
        with console_connection(self.url, read_only=read_only,
                                statement_timeout_ms=self.limits.statement_timeout_ms) as conn:
            self.begin(conn, read_only)
            if confirmed:
                conn.execute("SELECT 1")  # takes the snapshot: the access mode is now fixed
            elif (verdict := self.gate(conn, request, screened, token, "run")) is not None:
                conn.execute("ROLLBACK")
                if isinstance(verdict, Confirmation):
                    return verdict
                return Batch(batch_id, request.sql, (), Mode.READ_ONLY, 0.0, refused=verdict)
            notices = NoticeCollector(conn)
            with self.registry.running(request.run_id, conn.info.backend_pid) as run_id:
                results = self._run_all(conn, statements, request.sql, run_id, notices)
            self.registry.forget(run_id)
            failed = any(r.error for r in results)
            if read_only or failed:
                if in_transaction(conn):
                    conn.execute("ROLLBACK")
                mode = Mode.READ_ONLY if read_only else Mode.ROLLED_BACK
            else:
                row = conn.execute("select txid_current_if_assigned()").fetchone()
                wrote = row is not None and row[0] is not None
                if wrote and not confirmed:
                    conn.execute("ROLLBACK")
                    return Confirmation(request.sql, request.selection, tuple(statements), token,
                                        wrote_unexpectedly=True)
                conn.execute("COMMIT")
                mode = Mode.COMMITTED if wrote else Mode.NOTHING_WRITTEN
        return Batch(batch_id, request.sql, tuple(results), mode, elapsed_ms(started))

    def _run_all(self, conn: psycopg.Connection, statements: list[Statement], editor_text: str, run_id: str,
                 notices: NoticeCollector) -> list[ResultSet]:
        results: list[ResultSet] = []
        failed = False
        for index, statement in enumerate(statements):
            if failed:
                results.append(ResultSet(index, statement, skipped=True))
                continue
            result = self._run_one(conn, index, statement, editor_text, run_id, notices)
            if result.error is None and not in_transaction(conn):
                result = ResultSet(index, statement, result.status, error=QueryError(
                    "The statement ended the console's transaction; the rest of the batch was not run.",
                    reason="refused"))
            failed = result.error is not None
            results.append(result)
        return results

    def _run_one(self, conn: psycopg.Connection, index: int, statement: Statement, editor_text: str,
                 run_id: str, notices: NoticeCollector) -> ResultSet:
        started = time.perf_counter()
        cap = self.limits.row_cap
        prefix = DECLARE_PREFIX if statement.query_like else ""
        grace = self.limits.statement_timeout_ms / 1000 + 2.0
        watchdog = Watchdog(grace, lambda: self._cancel_pid(conn.info.backend_pid))
        try:
            with watchdog:
                if prefix:
                    conn.execute(prefix + statement.text)
                    cursor: psycopg.Cursor[Any] = conn.execute(f"FETCH FORWARD {cap + 1} FROM {CURSOR}")
                    fetched = cursor.fetchall()
                    columns = columns_of(conn, cursor)
                    conn.execute(f"CLOSE {CURSOR}")
                    status = f"SELECT {min(len(fetched), cap)}{'+' if len(fetched) > cap else ''}"
                    count: int | None = min(len(fetched), cap)
                elif statement.copies_out:
                    fetched, sent = copy_out(conn, statement.text, cap)
                    columns = (Column("copy", "text"),)
                    status, count = f"COPY {sent}", min(len(fetched), cap)
                else:
                    cursor = conn.execute(statement.text)
                    status = cursor.statusmessage or ""
                    fetched = cursor.fetchmany(cap + 1) if cursor.description else []
                    columns = columns_of(conn, cursor) if cursor.description else ()
                    count = min(len(fetched), cap) if cursor.description else (
                        cursor.rowcount if cursor.rowcount >= 0 else None)
        except psycopg.Error as exc:
            if conn.broken:
                raise
            reason = "error"
            if exc.sqlstate == QUERY_CANCELED:
                reason = "cancelled" if self.registry.was_cancelled(run_id) else "timeout"
            error = query_error(exc, editor_text, statement.offset, len(prefix), reason)
            if reason == "timeout":
                error = _timeout_error(error, self.limits.statement_timeout_ms)
            elif reason == "cancelled":
                error = QueryError("You cancelled the query.", error.sqlstate, reason="cancelled")
            elif exc.sqlstate == READ_ONLY_TRANSACTION and error.hint is None:
                error = replace(error, hint=READ_ONLY_HINT if self.app_read_only else WRITES_HINT)
            return ResultSet(index, statement, duration_ms=elapsed_ms(started), notices=notices.take(), error=error)
        rows = tuple([tuple([display(v) for v in row]) for row in fetched[:cap]])
        return ResultSet(index, statement, status, columns, rows, count, len(fetched) > cap, elapsed_ms(started),
                         notices.take())

    def _cancel_pid(self, pid: int) -> None:
        with contextlib.suppress(psycopg.Error):
            cancel_backend(self.url, pid)

    def cancel(self, run_id: str) -> bool:
        """Cancel the run with this id, if it is still running. Only ever our own runs' backends."""
        pid = self.registry.pid_of(run_id)
        if pid is None:
            return False
        self.registry.mark_cancelled(run_id)
        return cancel_backend(self.url, pid)


def _timeout_error(error: QueryError, timeout_ms: int) -> QueryError:
    seconds = f"{timeout_ms / 1000:g} s"
    return QueryError(f"The statement ran longer than the console's limit of {seconds} and was stopped "
                      "(statement timeout).", error.sqlstate,
                      hint="Narrow the query (WHERE, LIMIT), or raise STATEMENT_TIMEOUT_MS.", reason="timeout")
