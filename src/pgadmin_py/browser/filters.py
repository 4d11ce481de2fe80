"""Filters and search checked against the catalog, then turned into parameterised SQL.

A filter value never reaches SQL as text: it is parsed into a Python value of the column's kind
(int, Decimal, date, datetime, UUID, bool, str) and bound as a parameter; the column name reaches
SQL only as a quoted identifier taken from the catalog. A value that does not parse becomes a
:class:`FilterProblem` shown next to its filter, and that filter is left out of the query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from psycopg import sql

from pgadmin_py.browser.kinds import kind_of, ops_for
from pgadmin_py.browser.params import OPS, BrowseParams, Filter
from pgadmin_py.catalog.tables import Column, TableInfo
from pgadmin_py.catalog.types import INT_RANGES
from pgadmin_py.core.compat import datetime_fromisoformat, time_fromisoformat

MAX_VALUE_CHARS = 10_000
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off"})


@dataclass(frozen=True, slots=True)
class FilterProblem:
    index: int
    filter: Filter
    message: str


@dataclass(frozen=True, slots=True)
class CheckedFilter:
    index: int
    filter: Filter
    column: Column
    value: Any  # the parsed Python value, bound as a parameter


class Params:
    """Collects bound parameters while SQL is composed; placeholders are ``%(pN)s``."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> sql.Placeholder:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return sql.Placeholder(name)


class LiteralParams(Params):
    """Filter values as psycopg-adapted literals (``sql.Literal``: psycopg quotes them, never us).

    For COPY, which takes no server-side parameters: psycopg would bind them on the client anyway, and
    with no placeholders in the statement a ``%`` inside a column name cannot be mistaken for one.
    """

    def __call__(self, value: Any) -> sql.Literal:  # type: ignore[override]
        return sql.Literal(value)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_value(col: Column, op: str, raw: str) -> Any:
    """The typed value of ``raw`` for a filter on ``col``; ValueError with words when it does not fit."""
    if op in ("isnull", "notnull"):
        return None
    if "\x00" in raw:
        raise ValueError("the value contains a NUL character, which PostgreSQL text cannot hold")
    if len(raw) > MAX_VALUE_CHARS:
        raise ValueError(f"the value is {len(raw):,} characters long; the limit is {MAX_VALUE_CHARS:,}")
    kind = kind_of(col)
    text = raw.strip()
    if op in ("contains", "startswith"):
        if raw == "":
            raise ValueError("type some text to look for")
        return raw
    if kind == "integer":
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f'"{_short(raw)}" is not a whole number') from None
        low, high = INT_RANGES[col.base_type]
        if not low <= number <= high:
            raise ValueError(f"{_short(raw)} is out of range for {col.type_name}")
        return number
    if kind == "number":
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise ValueError(f'"{_short(raw)}" is not a number') from None
        if not dec.is_finite() and text.lower() not in ("nan", "infinity", "-infinity"):
            raise ValueError(f'"{_short(raw)}" is not a number')
        return dec
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f'"{_short(raw)}" is not a date; write it as YYYY-MM-DD') from None
    if kind == "timestamp":
        try:
            return datetime_fromisoformat(text)
        except ValueError:
            raise ValueError(f'"{_short(raw)}" is not a date and time; write YYYY-MM-DD or YYYY-MM-DD HH:MM') from None
    if kind == "time":
        try:
            return time_fromisoformat(text)
        except ValueError:
            raise ValueError(f'"{_short(raw)}" is not a time of day; write HH:MM or HH:MM:SS') from None
    if kind == "boolean":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(f'"{_short(raw)}" is not true or false')
    if kind == "uuid":
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ValueError(f'"{_short(raw)}" is not a UUID') from None
    if kind == "enum":
        if col.enum_values is not None and raw not in col.enum_values:
            raise ValueError(f'"{_short(raw)}" is not one of {", ".join(col.enum_values)}')
        return raw
    return raw  # text and other types: bound as text of unknown type, PostgreSQL parses it


def _short(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:40] + "…"


def check_filters(table: TableInfo, params: BrowseParams) -> tuple[list[CheckedFilter], list[FilterProblem]]:
    checked: list[CheckedFilter] = []
    problems: list[FilterProblem] = []
    names = set(table.column_names)
    for i, flt in enumerate(params.filters):
        if flt.column not in names:
            problems.append(FilterProblem(i, flt, f'there is no column "{_short(flt.column)}" in {table.name}'))
            continue
        col = table.column(flt.column)
        if flt.op not in ops_for(col):
            problems.append(FilterProblem(i, flt, f'"{OPS[flt.op]}" does not apply to a {col.type_name} column'))
            continue
        try:
            value = parse_value(col, flt.op, flt.value)
        except ValueError as exc:
            problems.append(FilterProblem(i, flt, str(exc)))
            continue
        checked.append(CheckedFilter(i, flt, col, value))
    return checked, problems


def _condition(f: CheckedFilter, bind: Params) -> sql.Composable:
    ident = sql.Identifier(f.column.name)
    op, value, kind = f.filter.op, f.value, kind_of(f.column)
    if op == "isnull":
        return sql.SQL("{} IS NULL").format(ident)
    if op == "notnull":
        return sql.SQL("{} IS NOT NULL").format(ident)
    if op in ("contains", "startswith"):
        pattern = ("%" if op == "contains" else "") + _like_escape(str(value)) + "%"
        target = ident if kind == "text" else sql.SQL("{}::text").format(ident)
        return sql.SQL("{} ILIKE {}").format(target, bind(pattern))
    if op == "lte" and type(value) is datetime and f.filter.value.strip().count(":") == 0 and len(
            f.filter.value.strip()) == 10:
        # "until 2024-03-01" on a timestamp means the whole day, not its first instant.
        return sql.SQL("{} < {}").format(ident, bind(value + timedelta(days=1)))
    operator = {"eq": "=", "ne": "<>", "gte": ">=", "lte": "<="}[op]
    return sql.SQL("{} {} {}").format(ident, sql.SQL(operator), bind(value))


def search_condition(table: TableInfo, search: str, bind: Params) -> sql.Composable | None:
    """``_q``: a case-insensitive substring over every text column (None when there are none)."""
    columns = [c for c in table.columns if kind_of(c) == "text"]
    if not search or not columns:
        return None
    placeholder = bind("%" + _like_escape(search.replace("\x00", "")) + "%")
    parts = [sql.SQL("{} ILIKE {}").format(sql.Identifier(c.name), placeholder) for c in columns]
    return sql.SQL("({})").format(sql.SQL(" OR ").join(parts))


def where_parts(table: TableInfo, checked: list[CheckedFilter], search: str, bind: Params) -> list[sql.Composable]:
    parts = [_condition(f, bind) for f in checked]
    found = search_condition(table, search, bind)
    if found is not None:
        parts.append(found)
    return parts
