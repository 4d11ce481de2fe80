"""PostgreSQL's type facts, in one place: what kind of value a catalog type holds, how its internal name
(``pg_type.typname``) is spelled in SQL, the range of each integer type, and which types have no ordering.

The browser (filters, sort, display), the forms (converters, integer ranges) and anything else that reasons
about a column's type read these, so a type is described once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# pg_type.typname -> the kind of value it holds (the browser's filters and display, the forms' inputs).
KINDS: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(("int2", "int4", "int8", "oid"), "integer"),
    **dict.fromkeys(("numeric", "float4", "float8"), "number"),
    **dict.fromkeys(("text", "varchar", "bpchar", "citext", "name"), "text"),
    "bool": "boolean",
    "date": "date",
    **dict.fromkeys(("timestamp", "timestamptz"), "timestamp"),
    **dict.fromkeys(("time", "timetz"), "time"),
    "uuid": "uuid",
    **dict.fromkeys(("json", "jsonb"), "json"),
    "bytea": "bytea",
})

# pg_type.typname -> the type's name in SQL, where the two differ ("int4" is "integer").
SQL_NAMES: Mapping[str, str] = MappingProxyType({
    "int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
    "bool": "boolean", "varchar": "character varying", "bpchar": "character",
    "timestamptz": "timestamp with time zone", "timetz": "time with time zone",
})

# The values each integer type holds, both ends included.
INT_RANGES: Mapping[str, tuple[int, int]] = MappingProxyType({
    "int2": (-(2**15), 2**15 - 1), "int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1),
    "oid": (0, 2**32 - 1),
})

# Types without a btree ordering: sorting on them is an error in PostgreSQL.
UNSORTABLE = frozenset({"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"})


def kind_of_type(base_type: str) -> str:
    """The kind of a catalog base type ("other" for a type without a kind of its own)."""
    return KINDS.get(base_type, "other")


def sql_name(base_type: str) -> str:
    """``int4`` -> ``integer``: a catalog base type as SQL spells it."""
    return SQL_NAMES.get(base_type, base_type)
