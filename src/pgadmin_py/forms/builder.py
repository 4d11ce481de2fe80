"""Build a WTForms class for a table from the catalog and its model's facts; pure, no I/O.

:class:`FormClasses` keeps the classes of one service (the records service owns one), keyed by the table's
column facts (merged with the model's): when the catalog changes (a column added, a type altered) or the
model does, the facts differ and a new class is built; requests in between reuse the class. Converters
are chosen by the catalog's type, the one the database casts to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import types as sa
from sqlalchemy.dialects.postgresql.base import ischema_names
from wtforms import Form

from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.catalog.types import sql_name
from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.forms.facts import DEFAULT, FieldFacts, SqlValue, column_facts
from pgadmin_py.forms.fields import ABSENT, PgField
from pgadmin_py.forms.registry import convert
from pgadmin_py.orm.introspect import ModelInfo

CACHE_LIMIT = 256


class RecordForm(Form):  # type: ignore[misc]  # wtforms ships no type hints
    """A generated form; ``mode`` is "new" or "edit" and decides what an empty box means."""

    facts: tuple[FieldFacts, ...] = ()

    def __init__(self, formdata: Any = None, *, mode: str = "new", data: Mapping[str, object] | None = None) -> None:
        initial = {f.field_name: value for f in self.facts if data is not None and (value := data.get(f.column))
                   is not None}
        if data is None and mode == "new":
            initial = {f.field_name: f.initial for f in self.facts if f.initial is not None}
        super().__init__(formdata=formdata, data=initial)
        self.mode = mode
        self.form_errors: list[str] = []
        for field in self.pg_fields():
            field.mode = mode

    def pg_fields(self) -> Iterator[PgField]:
        for facts in self.facts:
            field = self._fields[facts.field_name]
            assert isinstance(field, PgField)
            yield field

    def field_for(self, column: str) -> PgField | None:
        for field in self.pg_fields():
            if field.facts.column == column:
                return field
        return None

    def sql_values(self) -> dict[str, SqlValue]:
        """Column -> text to cast / None / DEFAULT, for the writable columns; call after ``validate()``."""
        out: dict[str, SqlValue] = {}
        for field in self.pg_fields():
            if field.sql_value is not ABSENT:
                value = field.sql_value
                assert value is None or value is DEFAULT or isinstance(value, str)
                out[field.facts.column] = value
        return out

    def add_error(self, column: str | None, message: str) -> None:
        field = self.field_for(column) if column is not None else None
        if field is None:
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors) or any(f.errors for f in self.pg_fields())


def _type_from_catalog(base_type: str) -> sa.TypeEngine[Any]:
    cls = ischema_names.get(sql_name(base_type))
    return cls() if cls is not None else sa.NullType()


def table_facts(info: TableInfo, model: ModelInfo | None) -> tuple[tuple[FieldFacts, sa.TypeEngine[Any]], ...]:
    """Each catalog column with its facts and the SQL type whose converter builds its field."""
    version = model.version_id_col if model is not None else None
    out = []
    for col in info.columns:
        model_col = model.column(col.name) if model is not None else None
        facts = column_facts(info, col, model_col)
        if col.name == version:  # the model's version_id_col: maintained by the save, never typed
            facts = replace(facts, read_only="version")
        out.append((facts, _type_from_catalog(col.base_type)))
    return tuple(out)


def _label(facts: FieldFacts) -> str:
    return facts.column


def build_form_class(info: TableInfo, model: ModelInfo | None) -> type[RecordForm]:
    """The form class for a table, built afresh (:class:`FormClasses` keeps them)."""
    return _form_class(info, table_facts(info, model))


def _form_class(info: TableInfo, described: tuple[tuple[FieldFacts, sa.TypeEngine[Any]], ...]) -> type[RecordForm]:
    attrs: dict[str, Any] = {"facts": tuple(f for f, _ in described)}
    for facts, type_ in described:
        conv = convert(facts, type_)
        attrs[facts.field_name] = PgField(
            _label(facts), facts=facts, parser=conv.parser, input_type=conv.input_type, choices=conv.choices,
            display=conv.display, help_text=conv.help_text, blank_means_empty=conv.blank_means_empty,
            upload=conv.upload, render_kw=conv.extra_html())
    return type(f"{info.name.title()}Form", (RecordForm,), attrs)


class FormClasses:
    """The form classes of one service, cached on their tables' column facts (the model's merged in)."""

    def __init__(self, size: int = CACHE_LIMIT) -> None:
        self._cache: BoundedCache[tuple[Any, ...], type[RecordForm]] = BoundedCache(size)

    def get(self, info: TableInfo, model: ModelInfo | None) -> type[RecordForm]:
        described = table_facts(info, model)
        key = (info.schema, info.name, tuple(f for f, _ in described))
        return self._cache.get_or_build(key, lambda: _form_class(info, described))
