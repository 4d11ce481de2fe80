"""Shared fixtures: a real PostgreSQL server, a fresh database per test, the app, a live server.

With TEST_DATABASE_URL unset the suite starts its own throwaway embedded server, so a fresh machine
needs nothing running; TEST_PG_BIN_DIR picks that server's binaries (the CI matrix runs the integration
suite once per PostgreSQL major version, see tests/support/pgbinaries.py). Each test gets its own
database cloned from a template that already holds
the demo project, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.db.embedded import EmbeddedPostgres

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[DatabaseUrl]:
    """The admin URL (database ``postgres``) of the server tests create their databases on."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield parse_database_url(url)
        return
    root = Path(tempfile.mkdtemp(prefix="pgadmin-py-test-"))
    bin_dir = os.environ.get("TEST_PG_BIN_DIR")
    sockets = Path(tempfile.mkdtemp(prefix="pgs-", dir="/tmp"))  # short: a socket path has a length limit
    sockets.chmod(0o777)  # the server may run as a service user (tests run as root)
    server = EmbeddedPostgres(root, fast=True, socket_dir=sockets, **({"bin_dir": Path(bin_dir)} if bin_dir else {}))
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)


def _admin(url: DatabaseUrl):  # type: ignore[no-untyped-def]
    return create_engine(url.sqlalchemy(), isolation_level="AUTOCOMMIT")


def create_database(server: DatabaseUrl, *, template: str | None = None, prefix: str = "t") -> DatabaseUrl:
    name = f"pgadmin_{prefix}_{uuid.uuid4().hex[:10]}"
    engine = _admin(server)
    with engine.connect() as conn:
        clause = f' template "{template}"' if template else ""
        conn.execute(text(f'create database "{name}"{clause}'))
    engine.dispose()
    return server.with_database(name)


def drop_database(server: DatabaseUrl, name: str) -> None:
    engine = _admin(server)
    with engine.connect() as conn:  # DROP DATABASE ... WITH (FORCE) is PostgreSQL 13+: end the sessions first
        conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity where datname = :n "
                          "and pid <> pg_backend_pid()"), {"n": name})
        conn.execute(text(f'drop database if exists "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def password_server() -> Iterator[object]:
    """A throwaway server that checks passwords (scram-sha-256) for every role but postgres: see
    support/pgpassword.py. Started only by the tests that ask for it."""
    from support.pgpassword import password_server as start

    yield from start()


@pytest.fixture(scope="session")
def demo_template(pg_server: DatabaseUrl) -> Iterator[str]:
    """A database holding the demo project at its seeded revision, used as a template."""
    from pgadmin_py.demo import bootstrap as demo

    url = create_database(pg_server, prefix="tmpl")
    demo.prepare(url.libpq())
    yield url.database
    drop_database(pg_server, url.database)


@pytest.fixture
def demo_db(pg_server: DatabaseUrl, demo_template: str) -> Iterator[DatabaseUrl]:
    """A fresh database with the demo project (two migrations pending), private to this test."""
    url = create_database(pg_server, template=demo_template)
    yield url
    drop_database(pg_server, url.database)


@pytest.fixture
def empty_db(pg_server: DatabaseUrl) -> Iterator[DatabaseUrl]:
    """A fresh empty database, private to this test."""
    url = create_database(pg_server, prefix="empty")
    yield url
    drop_database(pg_server, url.database)


@pytest.fixture
def demo_env(demo_db: DatabaseUrl, tmp_path: Path) -> dict[str, str]:
    from support.web import demo_env as build

    return build(demo_db, tmp_path)


@pytest.fixture
def client(demo_env: dict[str, str]) -> Iterator[object]:
    """An in-process client of the app on the demo database (read-write, no auth)."""
    from support.web import make_client

    with make_client(demo_env) as test_client:
        yield test_client
