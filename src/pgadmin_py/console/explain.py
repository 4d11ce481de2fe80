"""EXPLAIN and EXPLAIN ANALYZE of each explainable statement of a batch.

Always inside a transaction that is rolled back, so ANALYZE of an INSERT/UPDATE/DELETE shows the real
plan and timing and changes nothing. In the app's read-only mode the transaction is read-only too, and
PostgreSQL refuses to ANALYZE a write. The JSON plan feeds the tree; PostgreSQL's text plan is shown raw.
With ANALYZE the text plan is taken first inside a savepoint that is rolled back, then the JSON plan.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import psycopg

from pgadmin_py.console.model import QueryError, RunRequest
from pgadmin_py.console.plan import Plan, parse_plan
from pgadmin_py.console.runner import QUERY_CANCELED, Runner, refusal
from pgadmin_py.console.session import Watchdog, console_connection, elapsed_ms, query_error
from pgadmin_py.console.statements import Statement


@dataclass(frozen=True, slots=True)
class Explained:
    index: int
    statement: Statement
    plan: Plan | None = None
    text: str = ""
    error: QueryError | None = None
    skipped: str = ""  # why this statement has no plan
    duration_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ExplainBatch:
    id: str
    sql: str
    analyze: bool
    items: tuple[Explained, ...]
    read_only: bool
    duration_ms: float
    refused: QueryError | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and all(i.error is None for i in self.items)

    @property
    def error(self) -> QueryError | None:
        return self.refused or next((i.error for i in self.items if i.error), None)


def explain(runner: Runner, request: RunRequest, *, analyze: bool) -> ExplainBatch:
    started = time.perf_counter()
    batch_id = uuid.uuid4().hex
    statements = runner.statements(request)
    read_only = runner.app_read_only
    if not statements:
        return ExplainBatch(batch_id, request.sql, analyze, (), read_only, 0.0,
                            QueryError("There is no SQL to explain.", reason="refused"))
    for statement in statements:
        if (refused := refusal(statement, request.sql)) is not None:
            return ExplainBatch(batch_id, request.sql, analyze, (), read_only, 0.0, refused)
    timeout = runner.limits.statement_timeout_ms
    items: list[Explained] = []
    with console_connection(runner.url, read_only=read_only, statement_timeout_ms=timeout) as conn:
        conn.execute("BEGIN READ ONLY" if read_only else "BEGIN READ WRITE")
        conn.execute(f"SET LOCAL statement_timeout = {int(timeout)}")
        conn.execute("SELECT 1")
        with runner.registry.running(request.run_id, conn.info.backend_pid) as run_id:
            failed = False
            for index, statement in enumerate(statements):
                if failed:
                    items.append(Explained(index, statement, skipped="not run: an earlier statement failed"))
                elif not statement.explainable:
                    items.append(Explained(index, statement, skipped="PostgreSQL cannot EXPLAIN this statement"))
                else:
                    item = _one(runner, conn, index, statement, request.sql, analyze, run_id)
                    failed = item.error is not None
                    items.append(item)
        runner.registry.forget(run_id)
        conn.execute("ROLLBACK")
    return ExplainBatch(batch_id, request.sql, analyze, tuple(items), read_only, elapsed_ms(started))


def _one(runner: Runner, conn: psycopg.Connection, index: int, statement: Statement, editor_text: str,
         analyze: bool, run_id: str) -> Explained:
    started = time.perf_counter()
    text_prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    json_prefix = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    prefix = text_prefix
    watchdog = Watchdog(runner.limits.statement_timeout_ms / 1000 + 2.0,
                        lambda: runner._cancel_pid(conn.info.backend_pid))
    try:
        with watchdog:
            if analyze:
                conn.execute("SAVEPOINT pgadmin_explain")
            rows = conn.execute(text_prefix + statement.text).fetchall()
            text = "\n".join(str(r[0]) for r in rows)
            if analyze:
                conn.execute("ROLLBACK TO SAVEPOINT pgadmin_explain")
            prefix = json_prefix
            row = conn.execute(json_prefix + statement.text).fetchone()
    except psycopg.Error as exc:
        if conn.broken:
            raise
        reason = "error"
        if exc.sqlstate == QUERY_CANCELED:
            reason = "cancelled" if runner.registry.was_cancelled(run_id) else "timeout"
        error = query_error(exc, editor_text, statement.offset, len(prefix), reason)
        if reason != "error":
            error = QueryError("You cancelled the query." if reason == "cancelled" else
                               f"The statement ran longer than the console's limit of "
                               f"{runner.limits.statement_timeout_ms / 1000:g} s and was stopped (statement timeout).",
                               exc.sqlstate, reason=reason)
        return Explained(index, statement, error=error, duration_ms=elapsed_ms(started))
    document = row[0] if row else []
    plan = parse_plan(document) if document else None
    return Explained(index, statement, plan, text, duration_ms=elapsed_ms(started))
