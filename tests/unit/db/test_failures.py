"""Database errors sorted by SQLSTATE: which mean "down" (drop the pool, wait), which failed one query."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from pgadmin_py.db.failures import is_connection_failure, query_failure


def _wrapped(exc: Exception) -> DBAPIError:
    """What SQLAlchemy raises around a psycopg error."""
    return DBAPIError.instance("select 1", None, exc, psycopg.Error)


@pytest.mark.parametrize("state", ["08000", "08003", "08006", "08001", "08004", "57P01", "57P02", "57P03"])
def test_connection_failures_mean_down(state: str) -> None:
    error = psycopg.errors.lookup(state)("gone")
    assert is_connection_failure(error) and is_connection_failure(_wrapped(error))
    assert query_failure(error, statement_timeout_ms=30_000) is None


def test_an_operational_error_without_sqlstate_is_a_lost_connection() -> None:
    lost = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    assert is_connection_failure(lost) and is_connection_failure(_wrapped(lost))
    assert is_connection_failure(OperationalError("select 1", None, Exception("no sqlstate")))


@pytest.mark.parametrize(("state", "status", "words"), [
    ("57014", 504, "cancelled after the statement timeout of 2.5 s"),
    ("55P03", 409, "gave up waiting for a lock"),
    ("55000", 409, "materialized view"),
    ("40P01", 409, "deadlock"),
    ("40001", 409, "serialize"),
    ("42501", 403, "permission denied"),
    ("53100", 503, "disk full"),
    ("22P02", 500, "(SQLSTATE 22P02)"),
])
def test_other_errors_failed_one_query(state: str, status: int, words: str) -> None:
    messages = {"55000": 'materialized view "m" has not been populated', "40P01": "deadlock detected",
                "40001": "could not serialize access", "42501": "permission denied for table t",
                "53100": "could not extend file: disk full", "57014": "canceling statement due to statement timeout",
                "55P03": "canceling statement due to lock timeout", "22P02": "invalid input syntax for type integer"}
    error = psycopg.errors.lookup(state)(messages[state])
    for exc in (error, _wrapped(error)):
        assert not is_connection_failure(exc)
        failure = query_failure(exc, statement_timeout_ms=2500)
        assert failure is not None and failure.status_code == status
        assert words in f"{failure.detail} {failure.hint}"
        assert failure.hint is None or failure.hint.strip()


def test_not_a_database_error() -> None:
    assert not is_connection_failure(ValueError("x"))
    assert query_failure(ValueError("x"), statement_timeout_ms=1) is None
