"""Review a plan's offline SQL against the database: parse, look up, check, say, and keep the result.

A review runs in the background (the page shows a placeholder that htmx fills in, as for the SQL itself)
inside one READ ONLY transaction with a statement timeout per check and a short lock timeout, so it never
writes, never runs long and never queues behind a migration. It is kept under the SQL's sha256, the
catalog's fingerprint and the lock timeout for TTL seconds: a second view of the plan answers at once.
Who is in the way (sessions holding or waiting for locks on the tables) is live: looked up on every view.
"""

from __future__ import annotations

import hashlib
import logging
import time
from concurrent.futures import Future
from datetime import datetime, timezone

from sqlalchemy import Engine

from pgadmin_py.catalog import impact
from pgadmin_py.catalog.tables import catalog_fingerprint
from pgadmin_py.db.engine import autocommit_connection
from pgadmin_py.db.readonly import read_only_transaction
from pgadmin_py.migrations.highlight import sql_html
from pgadmin_py.migrations.review import locks
from pgadmin_py.migrations.review.assess import Assessment
from pgadmin_py.migrations.review.cache import FutureCache
from pgadmin_py.migrations.review.context import Context
from pgadmin_py.migrations.review.datachecks import CATALOG_TIMEOUT_MS, CHECK_TIMEOUT_MS, DataChecks
from pgadmin_py.migrations.review.destroys import TYPE_CHANGE, destroys
from pgadmin_py.migrations.review.model import Blocker, Review, StatementReview
from pgadmin_py.migrations.review.rules import assess, lock_timeout_rule
from pgadmin_py.migrations.review.statements import Statement, parse_statements

log = logging.getLogger(__name__)
REVIEW_LOCK_TIMEOUT_MS = 1000  # our reads give up rather than queue behind somebody's exclusive lock
TTL_SECONDS = 300.0
KEEP = 64


def review_sql(engine: Engine, sql: str, *, lock_timeout_ms: int, check_timeout_ms: int = CHECK_TIMEOUT_MS
               ) -> Review:
    """The review of ``sql`` against the database now (synchronous; :class:`Reviewer` caches it)."""
    started = time.perf_counter()
    statements = parse_statements(sql)
    assessed: list[tuple[Statement, Assessment]] = []
    with read_only_transaction(engine, statement_timeout_ms=CATALOG_TIMEOUT_MS,
                               lock_timeout_ms=REVIEW_LOCK_TIMEOUT_MS) as conn:
        version = impact.server_version(conn)
        ctx = Context(conn, DataChecks(conn, check_timeout_ms), statements, lock_timeout_ms=lock_timeout_ms,
                      server_version=version)
        for stmt in statements:
            assessed.append((stmt, assess(ctx, stmt)))
        lock_timeout_rule(ctx, assessed)
    reviewed = tuple(
        StatementReview(stmt.index, stmt.text, sql_html(stmt.text + ";"), stmt.revision, stmt.bookkeeping, stmt.kind,
                        " ".join(line for line in out.impact if line),
                        tuple(sorted(out.findings, key=lambda f: f.severity.rank)), tuple(out.locks),
                        _destroys(stmt, out))
        for stmt, out in assessed)
    return Review(reviewed, lock_timeout_ms, version, took_ms=(time.perf_counter() - started) * 1000,
                  checked_at=datetime.now(timezone.utc).strftime("%H:%M:%S UTC"))


def _destroys(stmt: Statement, out: Assessment) -> tuple[str, ...]:
    """What the statement destroys, leaving out a type change the review found harmless (binary coercible, or
    a column this plan added)."""
    changes_values = any(f.rule.startswith(("changing-column-type", "type-change")) for f in out.findings)
    return tuple(words for kind, words in destroys(stmt) if kind != TYPE_CHANGE or changes_values)


def blockers(engine: Engine, review: Review) -> dict[int, tuple[Blocker, ...]]:
    """``statement index -> sessions in its way now``: holding (or queued for) a lock on a table it locks, in
    a mode that conflicts with the one it needs."""
    oids = list(review.tables)
    if not oids:
        return {}
    with autocommit_connection(engine) as conn:
        holders = impact.lock_holders(conn, oids)
    found: dict[int, tuple[Blocker, ...]] = {}
    for stmt in review.statements:
        mine: list[Blocker] = []
        for lock in stmt.locks:
            for holder in holders:
                mode = locks.from_pg_locks(holder.mode)
                if holder.relation == lock.oid and locks.conflicts(lock.mode, mode) and \
                        not any(b.pid == holder.pid for b in mine):
                    seconds = holder.transaction_seconds if holder.transaction_seconds is not None \
                        else holder.state_seconds
                    mine.append(Blocker(holder.pid, holder.application_name, holder.user, holder.state, mode,
                                        holder.granted, lock.table, seconds, holder.query))
        if mine:
            found[stmt.index] = tuple(mine)
    return found


class Reviewer:
    """One per migrations service: the reviews' thread and their cache."""

    def __init__(self, engine: Engine, *, lock_timeout_ms: int, check_timeout_ms: int = CHECK_TIMEOUT_MS) -> None:
        self.engine = engine
        self.lock_timeout_ms = lock_timeout_ms
        self.check_timeout_ms = check_timeout_ms
        self._cache: FutureCache[Review] = FutureCache(workers=1, keep=KEEP, ttl=TTL_SECONDS,
                                                       name="pgadmin-py-review")

    def key(self, sql: str) -> str:
        digest = hashlib.sha256(sql.encode()).hexdigest()
        return f"{digest}:{catalog_fingerprint(self.engine)}:{self.lock_timeout_ms}"

    def get(self, sql: str) -> Future[Review]:
        """The review of ``sql``: kept, or started now in the background."""
        key = self.key(sql)

        def compute() -> Review:
            try:
                return review_sql(self.engine, sql, lock_timeout_ms=self.lock_timeout_ms,
                                  check_timeout_ms=self.check_timeout_ms)
            except Exception as exc:
                log.exception("migration review failed")
                self._cache.forget(key)
                return _unreviewed(sql, self.lock_timeout_ms, f"The review could not run: {exc}")

        return self._cache.get(key, compute, lambda: _unreviewed(sql, self.lock_timeout_ms,
                                                                 "The server is shutting down."))

    def blockers(self, review: Review) -> dict[int, tuple[Blocker, ...]]:
        return blockers(self.engine, review)

    def shutdown(self) -> None:
        self._cache.shutdown()


def _unreviewed(sql: str, lock_timeout_ms: int, problem: str) -> Review:
    statements = parse_statements(sql)
    return Review(tuple(StatementReview(s.index, s.text, sql_html(s.text + ";"), s.revision, s.bookkeeping)
                        for s in statements), lock_timeout_ms, problems=(problem,))
