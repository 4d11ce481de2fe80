"""A pooled connection the server closed is replaced at checkout, without a query per checkout."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import Engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import create_db_engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("select pg_backend_pid()")).scalar_one())


def test_a_terminated_pooled_connection_is_replaced_at_checkout(empty_db: DatabaseUrl) -> None:
    engine = create_db_engine(empty_db, read_only=False, statement_timeout_ms=5_000)
    try:
        first = _backend_pid(engine)  # now idle in the pool
        with psycopg.connect(empty_db.libpq(), autocommit=True) as admin:
            assert admin.execute("select pg_terminate_backend(%s)", [first]).fetchone() == (True,)
            deadline = time.monotonic() + 5
            while admin.execute("select 1 from pg_stat_activity where pid = %s", [first]).fetchone():
                assert time.monotonic() < deadline, "the backend did not exit"
                time.sleep(0.02)
        second = _backend_pid(engine)  # would raise "terminating connection" with a stale pooled connection
        assert second != first
    finally:
        engine.dispose()
