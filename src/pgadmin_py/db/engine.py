"""Our connections to the user's database.

Every connection carries a statement timeout and, in read-only mode,
``default_transaction_read_only``, so the server (not only our UI) refuses writes.

A pooled connection the server has closed (a restart, ``pg_terminate_backend``, an idle timeout) is
found at checkout without a round trip: PostgreSQL says goodbye on the socket (a FATAL message, then
EOF), so an idle connection whose socket has anything to read is dead, and the pool swaps it for a
fresh one. ``pool_pre_ping`` would ask with a query instead: a round trip on every page (~0.15 ms,
as long as a 100-row page query).
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.failures import is_connection_failure

APPLICATION_NAME = "pgadmin-py"


def connect_args(url: DatabaseUrl, options: str, connect_timeout: int = 5) -> dict[str, str]:
    """psycopg's keyword arguments for ``url``: its libpq keywords as libpq parsed them (several hosts, a socket
    directory, a service, sslmode... all pass through unchanged), the user's ``options`` kept before ours."""
    args = dict(url.params)
    args["options"] = f"{args['options']} {options}" if args.get("options") else options
    args.setdefault("connect_timeout", str(connect_timeout))
    args["application_name"] = APPLICATION_NAME
    return args


def create_db_engine(url: DatabaseUrl, *, read_only: bool, statement_timeout_ms: int) -> Engine:
    """The pool of our connections. The engine's own URL is the bare ``postgresql+psycopg://``: every keyword,
    the password too, goes to ``psycopg.connect`` through ``connect_args`` (SQLAlchemy's documented way to pass
    DBAPI arguments a URL cannot carry), so no SQLAlchemy URL parsing stands between libpq and DATABASE_URL and
    no engine repr or error message can show a credential."""
    options = f"-c statement_timeout={statement_timeout_ms}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    engine = create_engine(
        "postgresql+psycopg://",
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        hide_parameters=True,
        connect_args=connect_args(url, options),
    )
    event.listen(engine, "checkout", refuse_closed_connection)
    return engine


def refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Checkout hook: raise DisconnectionError (the pool then connects anew) when the server hung up."""
    try:
        gone = dbapi_connection.closed or server_hung_up(dbapi_connection.pgconn.socket)
    except psycopg.OperationalError:  # libpq already knows the connection is bad
        gone = True
    if gone:
        raise DisconnectionError("the server closed this pooled connection")


def server_hung_up(fd: int) -> bool:
    """An idle connection's socket is readable only when the server closed it (or sent a notice)."""
    if hasattr(select, "poll"):  # no FD_SETSIZE limit
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fd], [], [], 0)  # Windows: sockets only, which this is
    return bool(readable)


@contextmanager
def autocommit_connection(engine: Engine) -> Iterator[psycopg.Connection[Any]]:
    """A pooled psycopg connection in autocommit, for reads: no BEGIN and ROLLBACK round trips around them.

    Statement timeout and read-only mode are session settings of the engine, so they still apply; a
    block that needs ``SET LOCAL`` opens ``raw.transaction()`` itself. The raw pool connection skips the
    SQLAlchemy ``Connection`` wrapper: a data-browser page is a few hundred microseconds of work.
    """
    pooled = engine.raw_connection()
    try:
        raw = pooled.driver_connection
        assert isinstance(raw, psycopg.Connection)
        raw.rollback()
        raw.autocommit = True
        try:
            yield raw
        finally:
            if not raw.closed:
                if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    raw.rollback()
                raw.autocommit = False
    finally:
        pooled.close()  # back to the pool


def is_connection_error(exc: BaseException) -> bool:
    """True when ``exc`` means the server is unreachable (as opposed to a failed query): see db/failures.py."""
    return is_connection_failure(exc)


def ping(engine: Engine) -> tuple[str, str]:
    """Run a trivial query; the server's version, and where libpq connected (``user@host:port/db``: what a
    service file, libpq's environment or a multi-host list resolved to; never the password)."""
    with engine.connect() as conn:
        version = str(conn.execute(text("show server_version")).scalar_one())
        raw = conn.connection.driver_connection
        info = raw.info if isinstance(raw, psycopg.Connection) else None
        if info is None:
            return version, ""
        host = f"[{info.host}]" if info.host.startswith("/") or ":" in info.host else info.host
        return version, f"{info.user}@{host}:{info.port}/{info.dbname}"


def direct_connection(url: DatabaseUrl, purpose: str, *, connect_timeout: int = 10,
                      options: str | None = None) -> psycopg.Connection[Any]:
    """A connection of its own (not from the pool), in autocommit, named ``pgadmin-py <purpose>`` in
    ``pg_stat_activity``: for work that must not hold or wait for a pooled connection (a migration's
    bookkeeping while its guard holds the lock, backups, restores, the console's own sessions). ``options``:
    server settings for this session (``-c name=value ...``). Use it as a context manager."""
    conninfo = url.conninfo() if options is None else make_conninfo(url.conninfo(), options=options)
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=connect_timeout,
                           application_name=f"{APPLICATION_NAME} {purpose}")
