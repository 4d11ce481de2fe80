"""What a form needs to know about one column, merged from the catalog and the mapper.

The catalog says what the database will accept (the type to cast to, identity, generated); the
mapper, when it is the user's model, says what the application means (its types, lengths,
nullability, defaults). These frozen facts are hashable, so a form class can be cached on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pgadmin_py.catalog.tables import Column as CatalogColumn
from pgadmin_py.catalog.tables import ForeignKey, TableInfo
from pgadmin_py.core.pk import tilde_encode

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


def _model_default(model_col: Any) -> str | None:
    server = getattr(model_col, "server_default", None)
    if server is not None:
        arg = getattr(server, "arg", None)
        return str(getattr(arg, "text", arg)) if arg is not None else "server default"
    return None


def _model_initial(model_col: Any) -> str | None:
    """A scalar Python-side default (``default=5``) pre-fills a new row; callables are not run."""
    default = getattr(model_col, "default", None)
    if default is not None and getattr(default, "is_scalar", False) and default.arg is not None:
        arg = default.arg
        if isinstance(arg, bool):
            return "true" if arg else "false"
        return str(getattr(arg, "value", arg))
    return None


def searched_fk(info: TableInfo, column: str) -> ForeignKey | None:
    """The foreign key a search on ``column`` picks a row for: the column's own, else the composite key it
    comes first in (the other columns of that key are filled by the same pick)."""
    single = [f for f in info.foreign_keys if f.columns == (column,)]
    first_of = [f for f in info.foreign_keys if len(f.columns) > 1 and f.columns[0] == column]
    return next(iter(single or first_of), None)


def column_facts(info: TableInfo, col: CatalogColumn, model_col: Any | None) -> FieldFacts:
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
        initial = _model_initial(model_col)
        nullable = bool(model_col.nullable) and col.nullable
        default = default or _model_default(model_col)
        length = getattr(model_col.type, "length", None)
        max_length = length if isinstance(length, int) else max_length
    return FieldFacts(
        column=col.name, sql_type=col.type_name, base_type=col.base_type, type_kind=col.type_kind,
        is_array=col.is_array, nullable=nullable, default=default, read_only=read_only,
        is_pk=col.name in info.primary_key, max_length=max_length, precision=col.numeric_precision,
        scale=col.numeric_scale, enum_values=enum_values, fk=fk, comment=col.comment,
        from_model=model_col is not None, initial=initial,
    )
