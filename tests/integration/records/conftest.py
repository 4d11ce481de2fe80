"""Fixtures of the records integration tests: an engine on the test's demo database, a token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine

from pgadmin_py.core.dburl import DatabaseUrl


@pytest.fixture
def db(demo_db: DatabaseUrl) -> Iterator[Engine]:
    engine = create_engine(demo_db.sqlalchemy(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def token(client: Any) -> str:
    from support.web import csrf_token

    return csrf_token(client, "/tables/public/clients/new")
