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


@pytest.fixture
def odd_tables(pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """Awkward names, keys and values: a composite key with "/" and "é", long and multi-line text, FKs to a
    composite key and to a unique non-key column, a view."""
    pg.execute("create table parent (a text, b int, v text, primary key (a, b))")
    pg.execute("""insert into parent values ('x/y', 1, '<b>"bold" & ''q''</b>'), ('é,z', 2, repeat('w', 3000)),
                  ('plain', 3, E'two\\nlines'), ('~7E', 4, null)""")
    pg.execute("create table child (id text primary key, a text, b int, n numeric, note text,"
               " foreign key (a, b) references parent)")
    pg.execute("""insert into child values ('k 1', 'x/y', 1, 1.5, repeat('long ', 40)), ('k<2>', 'é,z', 2, null, ''),
                  ('k"3', null, null, -2, E'a\\tb'), ('plain', '~7E', 4, 0, 'x')""")
    pg.execute("create table reffed (id serial primary key, code text unique)")
    pg.execute("insert into reffed (code) values ('A&B'), ('C')")
    pg.execute("create table by_code (id int primary key, code text references reffed (code))")
    pg.execute("insert into by_code values (1, 'A&B'), (2, null), (3, 'C')")
    pg.execute("create view child_view as select * from child")
