"""A READ ONLY transaction with its own statement and lock timeouts, and bounded steps inside it.

Checks that read the user's tables (a migration review) must never write, never run long and never queue
behind somebody's exclusive lock: the server refuses writes (``SET TRANSACTION READ ONLY``), each step runs
in a savepoint under ``statement_timeout``, and ``lock_timeout`` makes a step give up rather than wait. A step
that times out or fails is reported as such and the next one runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import psycopg
from psycopg import errors
from sqlalchemy import Engine

from pgadmin_py.db.engine import autocommit_connection

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Bounded(Generic[T]):
    """A step's value, or why there is none (``problem``)."""

    value: T | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@contextmanager
def read_only_transaction(engine: Engine, *, statement_timeout_ms: int,
                          lock_timeout_ms: int) -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection inside ``BEGIN READ ONLY`` with these timeouts (``SET LOCAL``: gone at the end)."""
    with autocommit_connection(engine) as conn, conn.transaction():
        conn.execute("set transaction read only")
        conn.execute("select set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)",
                     (str(statement_timeout_ms), str(lock_timeout_ms)))
        yield conn


def bounded(conn: psycopg.Connection[Any], step: Callable[[], T], timeout_ms: int,
            restore_ms: int | None = None) -> Bounded[T]:
    """Run ``step`` in a savepoint under its own statement timeout (``restore_ms`` after it); a timeout or an
    error becomes a problem in words, not an exception (a failed step's settings roll back with it)."""
    timeout = "select set_config('statement_timeout', %s, true)"
    try:
        with conn.transaction():
            if restore_ms is not None:
                conn.execute(timeout, (str(timeout_ms),))
            value = step()
            if restore_ms is not None:
                conn.execute(timeout, (str(restore_ms),))
            return Bounded(value)
    except errors.QueryCanceled:
        return Bounded(None, f"could not finish within {timeout_ms / 1000:g} s")
    except errors.LockNotAvailable:
        return Bounded(None, "another session holds an exclusive lock on the table, so it could not be read now")
    except psycopg.Error as exc:
        message = exc.diag.message_primary or str(exc).splitlines()[0]
        return Bounded(None, f"failed: {message}")
