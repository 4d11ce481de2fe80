"""EXPLAIN and EXPLAIN ANALYZE of each explainable statement of a batch.

Always inside a transaction that is rolled back. EXPLAIN ANALYZE runs the statement, so it follows the
rules of Run: without "allow writes" confirmed, each statement must pass the read-only guard and the
transaction is read-only; with it, a write may run (and is rolled back, though what lives outside the
transaction, such as a sequence, moves). Each statement runs once, in ``FORMAT JSON``: the JSON plan
feeds the tree, and the text plan is drawn from the same JSON (:mod:`plan_text`).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import psycopg

from pgadmin_py.console.model import Confirmation, QueryError, RunRequest
from pgadmin_py.console.plan import Plan, parse_plan
from pgadmin_py.console.plan_text import text_plan
from pgadmin_py.console.runner import QUERY_CANCELED, Runner, confirm_token
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
    read_only: bool  # ran in a read-only transaction (false only for a confirmed EXPLAIN ANALYZE with writes)
    duration_ms: float
    refused: QueryError | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and all(i.error is None for i in self.items)

    @property
    def error(self) -> QueryError | None:
        return self.refused or next((i.error for i in self.items if i.error), None)


def explain(runner: Runner, request: RunRequest, *, analyze: bool) -> ExplainBatch | Confirmation:
    started = time.perf_counter()
    batch_id = uuid.uuid4().hex
    app_read_only = runner.app_read_only
    screened = runner.screen(request, "explain")
    if isinstance(screened, QueryError):
        return ExplainBatch(batch_id, request.sql, analyze, (), True, 0.0, screened)
    explainable = [i for i in screened if i.statement.explainable]
    token = confirm_token(request.sql, request.selection, "analyze")
    confirmed = analyze and request.allow_writes and request.confirm == token
    read_only = not confirmed
    timeout = runner.limits.statement_timeout_ms
    items: list[Explained] = []
    with console_connection(runner.url, read_only=app_read_only, statement_timeout_ms=timeout) as conn:
        runner.begin(conn, read_only)
        if not analyze or confirmed:
            conn.execute("SELECT 1")  # takes the snapshot
        elif (verdict := runner.gate(conn, request, explainable, token, "analyze")) is not None:
            conn.execute("ROLLBACK")
            if isinstance(verdict, Confirmation):
                return verdict
            return ExplainBatch(batch_id, request.sql, analyze, (), True, 0.0, verdict)
        with runner.registry.running(request.run_id, conn.info.backend_pid) as run_id:
            failed = False
            for index, inspection in enumerate(screened):
                statement = inspection.statement
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
    prefix = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "
    watchdog = Watchdog(runner.limits.statement_timeout_ms / 1000 + 2.0,
                        lambda: runner._cancel_pid(conn.info.backend_pid))
    try:
        with watchdog:
            row = conn.execute(prefix + statement.text).fetchone()
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
    text = text_plan(document) if document else ""
    return Explained(index, statement, plan, text, duration_ms=elapsed_ms(started))
