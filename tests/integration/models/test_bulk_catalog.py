"""The diagram's bulk catalog read gives exactly the catalog's per-table records."""

from __future__ import annotations

from sqlalchemy import create_engine

from pgadmin_py.catalog.tables import all_tables
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.diagram.bulk import read_all_tables


def test_bulk_read_equals_catalog(demo_db: DatabaseUrl) -> None:
    engine = create_engine(demo_db.sqlalchemy())
    try:
        assert read_all_tables(engine) == all_tables(engine)
    finally:
        engine.dispose()


def test_bulk_read_of_empty_database(empty_db: DatabaseUrl) -> None:
    engine = create_engine(empty_db.sqlalchemy())
    try:
        assert read_all_tables(engine) == []
    finally:
        engine.dispose()
