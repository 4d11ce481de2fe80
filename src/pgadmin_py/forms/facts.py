"""What a form needs to know about one column, merged from the catalog and the model's facts.

The catalog says what the database will accept (the type to cast to, identity, generated); the
model's column facts (reported by the models probe), when the table has a model, say what the
application means (lengths, nullability, defaults, enum values). These frozen facts are hashable,
so a form class can be cached on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pgadmin_py.catalog.tables import Column as CatalogColumn
from pgadmin_py.catalog.tables import ForeignKey, TableInfo
from pgadmin_py.core.pk import tilde_encode
from pgadmin_py.orm.introspect import ColumnInfo

FIELD_PREFIX = "f_"


class Default(Enum):
    """Marks a value the database fills in itself (``DEFAULT`` in the statement)."""

    DEFAULT = "DEFAULT"


DEFAULT = Default.DEFAULT
SqlValue = str | None | Default


@dataclass(frozen=True, slots=True)
class FkTarget:
    """The table a foreign-key field searches (:func:`searched_fk`). A composite key's search sits on its
    first column and fills the others too."""

    schema: str
    table: str
    column: str  # the referenced column (the first of a composite key)
    targets_pk: bool  # the field's value is the referenced row's key (a row link), else a filtered-table link
    composite: bool


@dataclass(frozen=True, slots=True)
class FieldFacts:
    column: str
    sql_type: str  # the catalog's format_type(): the target of every CAST
    base_type: str
    type_kind: str
    is_array: bool
    nullable: bool
    default: str | None  # shown as "default: ..."; None when the database fills in nothing
    read_only: str | None  # why the column cannot be written ("identity", "generated"), else None
    is_pk: bool
    max_length: int | None
    precision: int | None
    scale: int | None
    enum_values: tuple[str, ...] | None
    fk: FkTarget | None
    comment: str | None
    from_model: bool
    initial: str | None = None  # pre-filled on a new row (the model's scalar Python default)

    @property
    def field_name(self) -> str:
        return field_name(self.column)

    @property
    def required(self) -> bool:
        return self.read_only is None and not self.nullable and self.default is None


def field_name(column: str) -> str:
    """``f_`` + the tilde-encoded column: a column called ``data`` or ``meta`` cannot shadow WTForms."""
    return FIELD_PREFIX + tilde_encode(column)


def searched_fk(info: TableInfo, column: str) -> ForeignKey | None:
    """The foreign key a search on ``column`` picks a row for: the column's own, else the composite key it
    comes first in (the other columns of that key are filled by the same pick)."""
    single = [f for f in info.foreign_keys if f.columns == (column,)]
    first_of = [f for f in info.foreign_keys if len(f.columns) > 1 and f.columns[0] == column]
    return next(iter(single or first_of), None)


def column_facts(info: TableInfo, col: CatalogColumn, model_col: ColumnInfo | None) -> FieldFacts:
    found = searched_fk(info, col.name)
    fk = None if found is None else FkTarget(found.ref_schema, found.ref_table, found.ref_columns[0],
                                             found.targets_pk, len(found.columns) > 1)
    read_only = "generated" if col.generated else ("identity" if col.identity == "always" else None)
    default = col.default
    if col.identity == "by default":
        default = "identity"
    elif col.default and col.default.startswith("nextval("):
        default = "next value of its sequence"
    nullable, max_length, enum_values, initial = col.nullable, col.max_length, col.enum_values, None
    if model_col is not None:
        initial = model_col.initial  # a scalar Python default pre-fills a new row; callables are never run
        nullable = model_col.nullable and col.nullable
        default = default or model_col.server_default
        max_length = model_col.length if model_col.length is not None else max_length
        if enum_values is None and model_col.enum_values is not None:
            enum_values = model_col.enum_values  # a non-native Enum: the database stores text
    return FieldFacts(
        column=col.name, sql_type=col.type_name, base_type=col.base_type, type_kind=col.type_kind,
        is_array=col.is_array, nullable=nullable, default=default, read_only=read_only,
        is_pk=col.name in info.primary_key, max_length=max_length, precision=col.numeric_precision,
        scale=col.numeric_scale, enum_values=enum_values, fk=fk, comment=col.comment,
        from_model=model_col is not None, initial=initial,
    )
