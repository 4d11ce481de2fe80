"""A query that fails is a message on its page, not "database down" (issue 12, point 10).

Only a lost or refused connection (SQLSTATE class 08, 57P01-57P03, or a psycopg error without a
SQLSTATE) sends every user to the "waiting for the database" page; a statement timeout, a lock wait
or an unpopulated materialized view is said on the page that hit it, and the next page is a 200.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env, make_client


@pytest.fixture
def quick(demo_db: DatabaseUrl, tmp_path: Path) -> Iterator[TestClient[Any]]:
    """The app with a 400 ms statement timeout."""
    with make_client(demo_env(demo_db, tmp_path, STATEMENT_TIMEOUT_MS="400")) as client:
        yield client


def _still_up(client: TestClient[Any]) -> None:
    """A database marked down answers every page with 503 "waiting" until its monitor sees it again."""
    assert client.get("/tables").status_code == 200, "a query failure marked the database down"
    assert client.get("/").status_code == 200


def test_statement_timeout_of_a_sleeping_view_is_a_message(quick: TestClient[Any], demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute("create view sleepy as select n, pg_sleep(0.2)::text as z from generate_series(1, 10) n")
    page = quick.get("/tables/public/sleepy")
    assert page.status_code == 200
    assert "statement timeout" in page.text
    export = quick.get("/tables/public/sleepy/export/json")
    assert export.status_code == 504 and "statement timeout" in export.text
    _still_up(quick)


def test_statement_timeout_on_a_locked_table_is_a_message(quick: TestClient[Any], demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq()) as holder:
        holder.execute("lock table clients in access exclusive mode")
        response = quick.get("/tables/public/clients")
        holder.rollback()
    assert response.status_code == 504, response.text[:500]
    assert "cancelled after the statement timeout of 0.4 s" in response.text
    assert "STATEMENT_TIMEOUT_MS" in response.text
    assert "Waiting for the database" not in response.text
    _still_up(quick)


def test_lock_timeout_is_a_message(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as admin:
        admin.execute(f'alter database "{demo_db.database}" set lock_timeout = 150')
    with make_client(demo_env(demo_db, tmp_path)) as client, psycopg.connect(demo_db.libpq()) as holder:
        holder.execute("lock table clients in access exclusive mode")
        response = client.get("/tables/public/clients")
        holder.rollback()
        assert response.status_code == 409, response.text[:500]
        assert "lock" in response.text and "another session" in response.text
        assert "Waiting for the database" not in response.text
        _still_up(client)


def test_unpopulated_materialized_view_is_a_message(quick: TestClient[Any], demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        conn.execute("create materialized view client_names as select id, email from clients with no data")
    response = quick.get("/tables/public/client_names")
    assert response.status_code == 200, response.text[:500]  # the page explains it (and offers the refresh)
    assert "client_names has never been populated" in response.text
    assert "REFRESH MATERIALIZED VIEW" in response.text
    _still_up(quick)


def test_htmx_request_gets_the_message_as_a_flash(quick: TestClient[Any], demo_db: DatabaseUrl) -> None:
    with psycopg.connect(demo_db.libpq()) as holder:
        holder.execute("lock table clients in access exclusive mode")
        response = quick.get("/tables/public/clients", headers={"hx-request": "true"})
        holder.rollback()
    assert response.status_code == 504
    assert response.headers["hx-retarget"] == "#flash"
    assert "statement timeout" in response.text
    _still_up(quick)


def test_a_terminated_connection_still_means_waiting(quick: TestClient[Any], demo_db: DatabaseUrl) -> None:
    """57P01 (our backend terminated) is a connection failure: the pool is dropped and the app reconnects."""
    assert quick.get("/tables/public/clients").status_code == 200
    with psycopg.connect(demo_db.libpq(), autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                      "where application_name = 'pgadmin-py' and datname = current_database()")
    statuses = {quick.get("/tables/public/clients").status_code for _ in range(3)}
    assert statuses <= {200, 503}
    deadline = time.monotonic() + 10
    while quick.get("/tables/public/clients").status_code != 200:
        assert time.monotonic() < deadline, "the app did not reconnect"
        time.sleep(0.1)
