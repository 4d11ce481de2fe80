"""Fixtures for the real-layout project tests: fresh databases on demand, a copy of a fixture project."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from support.projects import copy_fixture, project_python

__all__ = ["fresh_db", "project_copy", "project_python"]


@pytest.fixture
def fresh_db(pg_server: DatabaseUrl) -> Iterator[Callable[[], DatabaseUrl]]:
    """``fresh_db()``: a new empty database, private to this test (as many as the test asks for)."""
    made: list[str] = []
    admin = create_engine(pg_server.sqlalchemy(), isolation_level="AUTOCOMMIT")

    def make() -> DatabaseUrl:
        name = f"pgadmin_proj_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'create database "{name}"'))
        made.append(name)
        return pg_server.with_database(name)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity where datname = :n"),
                         {"n": name})
            conn.execute(text(f'drop database if exists "{name}"'))  # WITH (FORCE) is PostgreSQL 13+
    admin.dispose()


@pytest.fixture
def project_copy(tmp_path: Path, project_python: Callable[[str], str]) -> Callable[[str], Path]:
    """``project_copy("sa14")``: the fixture copied under tmp_path (its venv linked as ``.venv``)."""
    def make(name: str) -> Path:
        project_python(name)
        return copy_fixture(name, tmp_path / name)

    return make
