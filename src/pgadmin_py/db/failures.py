"""Which database errors mean "the database is down", and words for the ones that do not.

psycopg files a statement timeout (57014), a lock wait (55P03) and an unpopulated materialized view
(55000) under ``OperationalError``, the same class as a lost connection, so the class says nothing
about availability. The SQLSTATE does: only connection exceptions (class 08), an administrator's or
a crash's shutdown (57P01-57P03), and an ``OperationalError`` without a SQLSTATE (the socket died
before the server could say why) mean the pool is useless. Everything else failed one query, and is
said on the page that ran it while every other page keeps working.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import DBAPIError, OperationalError

from pgadmin_py.core.errors import AppError

SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})  # admin_shutdown, crash_shutdown, cannot_connect_now


class QueryFailed(AppError):
    """One statement failed for a reason of the database's (not a bug of ours, not an outage)."""

    status_code = 500
    title = "The database refused the query"

    def __init__(self, detail: str, hint: str | None = None, *, status_code: int | None = None,
                 title: str | None = None) -> None:
        super().__init__(detail, hint)
        if status_code is not None:
            self.status_code = status_code
        if title is not None:
            self.title = title


def driver_error(exc: BaseException) -> BaseException:
    """The psycopg error inside a SQLAlchemy wrapper (or ``exc`` itself)."""
    return getattr(exc, "orig", None) or exc


def sqlstate_of(exc: BaseException) -> str | None:
    state = getattr(driver_error(exc), "sqlstate", None)
    return state if isinstance(state, str) and state else None


def is_connection_failure(exc: BaseException) -> bool:
    """True when ``exc`` means the server cannot be reached or dropped us (not that one query failed)."""
    state = sqlstate_of(exc)
    if state is not None:
        return state.startswith("08") or state in SERVER_GONE
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) or isinstance(driver_error(exc), psycopg.OperationalError)


def _diag(exc: BaseException, name: str) -> str | None:
    diag = getattr(driver_error(exc), "diag", None)
    value = getattr(diag, name, None) if diag is not None else None
    return value if isinstance(value, str) and value else None


def _message(exc: BaseException) -> str:
    primary = _diag(exc, "message_primary")
    if primary:
        return primary
    lines = [line.strip() for line in str(driver_error(exc)).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def query_failure(exc: BaseException, *, statement_timeout_ms: int) -> QueryFailed | None:
    """Words for a database error that failed one query; None for a connection failure or a non-database error."""
    state = sqlstate_of(exc)
    if state is None or is_connection_failure(exc):
        return None
    message = _message(exc)
    if state == "57014":
        seconds = f"{statement_timeout_ms / 1000:g}"
        return QueryFailed(
            f"The query was cancelled after the statement timeout of {seconds} s.",
            "Narrow the filter (an equality filter on an indexed column is fastest), or raise "
            "STATEMENT_TIMEOUT_MS. If another session holds a lock on this table, the query may have been "
            "waiting for it: pg_stat_activity and pg_locks show who.",
            status_code=504, title="The query took too long")
    if state == "55P03":
        return QueryFailed(
            f"The query gave up waiting for a lock that another session holds ({message}).",
            "Another transaction holds a lock on this table (lock_timeout ended the wait). Try again when it "
            "ends; pg_stat_activity and pg_locks show who holds it.",
            status_code=409, title="The table is locked")
    if state in ("40001", "40P01"):
        return QueryFailed(f"{message}.", "Another transaction got in the way; try again.",
                           status_code=409, title="Conflict with another transaction")
    if state == "42501":
        return QueryFailed(f"{message}.", "The role pgadmin-py connects as lacks this privilege: GRANT it, "
                           "or connect as another role.", status_code=403, title="Permission denied")
    hint = _diag(exc, "message_hint")
    if state == "55000":
        return QueryFailed(f"{message}.", hint or "The object is not ready for this query.",
                           status_code=409, title="Not ready for this query")
    if state.startswith("53"):
        return QueryFailed(f"{message}.", hint or "The database server is short of resources (disk, memory or "
                           "connections); try again shortly.", status_code=503, title="The database is overloaded")
    return QueryFailed(f"{message} (SQLSTATE {state}).", hint)
