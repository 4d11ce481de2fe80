"""What the browser may do with a column, decided from its catalog type: filters, sort, display."""

from __future__ import annotations

from pgadmin_py.catalog.tables import Column

_KINDS = {
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
}
INT_BOUNDS = {"int2": 2**15, "int4": 2**31, "int8": 2**63, "oid": 2**32}

OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("contains", "eq", "ne", "startswith", "isnull", "notnull"),
    "integer": ("eq", "ne", "gte", "lte", "isnull", "notnull"),
    "number": ("eq", "ne", "gte", "lte", "isnull", "notnull"),
    "date": ("eq", "gte", "lte", "isnull", "notnull"),
    "timestamp": ("gte", "lte", "eq", "isnull", "notnull"),
    "time": ("gte", "lte", "eq", "isnull", "notnull"),
    "boolean": ("eq", "isnull", "notnull"),
    "enum": ("eq", "ne", "isnull", "notnull"),
    "uuid": ("eq", "ne", "isnull", "notnull"),
    "json": ("contains", "isnull", "notnull"),
    "bytea": ("isnull", "notnull"),
    "array": ("contains", "isnull", "notnull"),
    "other": ("eq", "ne", "isnull", "notnull"),
}
# Types without a btree ordering: sorting on them is an error in PostgreSQL.
UNSORTABLE = frozenset({"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"})
# Short fixed-size values: selected in full. Everything else is cut in the page (see query.display_expr).
SHORT_KINDS = frozenset({"integer", "number", "boolean", "date", "timestamp", "time", "uuid", "enum"})
RIGHT_ALIGNED = frozenset({"integer", "number"})


def kind_of(col: Column) -> str:
    if col.is_array:
        return "array"
    if col.type_kind == "enum":
        return "enum"
    return _KINDS.get(col.base_type, "other")


def is_sortable(col: Column) -> bool:
    return col.base_type not in UNSORTABLE and col.type_kind not in ("pseudo", "composite")


def ops_for(col: Column) -> tuple[str, ...]:
    ops = OPS_BY_KIND[kind_of(col)]
    return ops if col.nullable else tuple(op for op in ops if op not in ("isnull", "notnull"))


def is_text(col: Column) -> bool:
    return kind_of(col) == "text"
