"""What the browser may do with a column, decided from its catalog type (catalog/types.py): filters, sort,
display."""

from __future__ import annotations

from pgadmin_py.catalog.tables import Column
from pgadmin_py.catalog.types import UNSORTABLE, kind_of_type

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
# Short fixed-size values: selected in full. Everything else is cut in the page (see query.display_expr).
SHORT_KINDS = frozenset({"integer", "number", "boolean", "date", "timestamp", "time", "uuid", "enum"})
RIGHT_ALIGNED = frozenset({"integer", "number"})


def kind_of(col: Column) -> str:
    if col.is_array:
        return "array"
    if col.type_kind == "enum":
        return "enum"
    return kind_of_type(col.base_type)


def is_sortable(col: Column) -> bool:
    return col.base_type not in UNSORTABLE and col.type_kind not in ("pseudo", "composite")


def ops_for(col: Column) -> tuple[str, ...]:
    ops = OPS_BY_KIND[kind_of(col)]
    return ops if col.nullable else tuple(op for op in ops if op not in ("isnull", "notnull"))


def is_text(col: Column) -> bool:
    return kind_of(col) == "text"
