"""Our connections to the user's database.

Every connection carries a statement timeout and, in read-only mode,
``default_transaction_read_only``, so the server (not only our UI) refuses writes.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from pgadmin_py.core.dburl import DatabaseUrl

APPLICATION_NAME = "pgadmin-py"


def create_db_engine(url: DatabaseUrl, *, read_only: bool, statement_timeout_ms: int) -> Engine:
    options = f"-c statement_timeout={statement_timeout_ms}"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return create_engine(
        url.sqlalchemy(),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_recycle=1800,
        hide_parameters=True,
        connect_args={"options": options, "connect_timeout": 5, "application_name": APPLICATION_NAME},
    )


def is_connection_error(exc: BaseException) -> bool:
    """True when ``exc`` means the server is unreachable (as opposed to a bad query)."""
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    import psycopg

    return isinstance(exc, psycopg.OperationalError)


def ping(engine: Engine) -> str:
    """Run a trivial query; return the server's version string."""
    with engine.connect() as conn:
        return str(conn.execute(text("show server_version")).scalar_one())
