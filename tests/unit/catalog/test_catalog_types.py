"""PostgreSQL's type facts (catalog/types.py) agree with PostgreSQL and with SQLAlchemy's names for them."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects.postgresql.base import ischema_names

from pgadmin_py.catalog.types import INT_RANGES, KINDS, SQL_NAMES, kind_of_type, sql_name


@pytest.mark.parametrize(("typname", "bits"), [("int2", 16), ("int4", 32), ("int8", 64)])
def test_integer_ranges_are_twos_complement(typname: str, bits: int) -> None:
    assert INT_RANGES[typname] == (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def test_every_sql_name_is_one_sqlalchemy_knows() -> None:
    assert all(name in ischema_names for name in SQL_NAMES.values())
    assert sql_name("int4") == "integer" and sql_name("citext") == "citext"


def test_kinds() -> None:
    assert kind_of_type("int8") == "integer" and kind_of_type("timestamptz") == "timestamp"
    assert kind_of_type("tsvector") == "other"
    assert all(kind_of_type(t) == "integer" for t in INT_RANGES)
    assert set(KINDS.values()) >= {"integer", "number", "text", "boolean", "json"}
