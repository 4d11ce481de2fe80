"""A run that failed on ``lock_timeout``: which statement waited, and which session it waited for.

The guard reports the sessions blocking the run's sessions while it waits (``pg_blocking_pids``); when
none was seen (the wait was shorter than the guard's look, or the child's sessions are not named), the
statement in the error is parsed and the sessions holding locks on its tables now are named instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg

from pgadmin_py.catalog import impact
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.review import words

_LOCK_TIMEOUT = re.compile(r"canceling statement due to lock timeout|LockNotAvailable|lock timeout", re.I)
_SQL = re.compile(r"\[SQL: (.*?)\]\s*(?:\n|\(Background|$)", re.S)


@dataclass(frozen=True, slots=True)
class LockWait:
    pid: int
    application_name: str
    user: str
    state: str
    seconds: float | None
    query: str

    @classmethod
    def of(cls, record: dict[str, Any]) -> LockWait:
        seconds = record.get("seconds")
        return cls(int(record.get("pid") or 0), str(record.get("application_name") or ""),
                   str(record.get("user") or ""), str(record.get("state") or ""),
                   float(seconds) if isinstance(seconds, int | float) else None, str(record.get("query") or ""))

    def describe(self) -> str:
        """``pid 4242 (application_name 'report', user app), idle in transaction for 12 s, last query: SELECT ...``"""
        who = ", ".join(x for x in (f"application_name '{self.application_name}'" if self.application_name else "",
                                    f"user {self.user}" if self.user else "") if x)
        state = f", {self.state} for {words.duration(self.seconds)}" if self.state else ""
        query = " ".join(self.query.split())
        return (f"pid {self.pid}" + (f" ({who})" if who else "") + state +
                (f", last query: {query[:160]}" if query else ""))


def is_lock_timeout(output: str) -> bool:
    return _LOCK_TIMEOUT.search(output) is not None


def failing_sql(output: str) -> str | None:
    """The statement SQLAlchemy names in its error (``[SQL: ...]``), the last one."""
    found = _SQL.findall(output)
    return " ".join(found[-1].split()) if found else None


def holders_now(url: DatabaseUrl, sql: str) -> list[LockWait]:
    """Sessions holding a lock on the tables ``sql`` touches, now (after the failure)."""
    from pgadmin_py.migrations.review.statements import parse_statements, relation_name  # pglast, when needed

    names = []
    for stmt in parse_statements(sql):
        relation = getattr(stmt.node, "relation", None)
        if (name := relation_name(relation)) is not None:
            names.append(name)
    if not names:
        return []
    with direct_connection(url, "lock check") as conn:
        oids = [t.oid for t in (impact.find_table(conn, *n) for n in names) if t is not None]
        holders = impact.lock_holders(conn, oids)
    seen: dict[int, LockWait] = {}
    for h in holders:
        if h.granted and h.pid not in seen:
            seen[h.pid] = LockWait(h.pid, h.application_name, h.user, h.state,
                                   h.transaction_seconds if h.transaction_seconds is not None else h.state_seconds,
                                   h.query)
    return list(seen.values())


def explain(output: str, blockers: list[LockWait], lock_timeout_ms: int, url: DatabaseUrl) -> str | None:
    """Why a run failed on lock_timeout, naming the blocker; None when it did not fail that way."""
    if not is_lock_timeout(output):
        return None
    statement = failing_sql(output)
    if not blockers and statement:
        try:
            blockers = holders_now(url, statement)
        except psycopg.Error:
            blockers = []
    limit = f"lock_timeout ({words.milliseconds(lock_timeout_ms)}, MIGRATION_LOCK_TIMEOUT)" if lock_timeout_ms \
        else "lock_timeout"
    what = f"'{statement[:160]}'" if statement else "a statement"
    who = ("; ".join(b.describe() for b in blockers) if blockers else
           "a session that no longer holds it (it finished before we could look)")
    return (f"{limit} ran out: {what} waited for a lock held by {who}. The statement was cancelled and its "
            "transaction rolled back.")
