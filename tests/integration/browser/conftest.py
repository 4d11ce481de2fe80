"""Fixtures of the browser's integration tests: a Browser service and a raw connection on the demo db."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine

from pgadmin_py.browser.service import Browser
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import create_db_engine


@pytest.fixture
def engine(demo_db: DatabaseUrl) -> Iterator[Engine]:
    eng = create_db_engine(demo_db, read_only=False, statement_timeout_ms=30_000)
    yield eng
    eng.dispose()


@pytest.fixture
def browser(engine: Engine) -> Browser:
    return Browser(engine, cache_seconds=0)


@pytest.fixture
def pg(demo_db: DatabaseUrl) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(demo_db.libpq(), autocommit=True) as conn:
        yield conn
