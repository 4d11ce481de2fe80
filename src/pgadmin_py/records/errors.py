"""Database errors of a write, in words, attached to the field they are about when we can tell.

PostgreSQL names the constraint (unique, foreign key, check) or the column (not null); the catalog
maps a constraint back to its columns. Anything we cannot place becomes a form-level message.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import DBAPIError

from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.core.errors import AppError, QueryTimeout
from pgadmin_py.forms import RecordForm


class NotWritable(AppError):
    """A relation rows cannot be written to (a view, or a table without a primary key)."""

    status_code = 409
    title = "Read-only table"


class RowNotFound(AppError):
    status_code = 404
    title = "Row not found"


class NothingSelected(AppError):
    """A bulk action posted without a ticked row (a browser without JavaScript, where the button stays enabled)."""

    status_code = 400
    title = "No rows selected"


class DeleteBlocked(AppError):
    status_code = 409
    title = "Delete refused"


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _diag(exc: DBAPIError, name: str) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    value = getattr(diag, name, None) if diag is not None else None
    return str(value) if value else None


def _constraint_columns(info: TableInfo, name: str | None) -> tuple[str, ...]:
    if name is None:
        return ()
    for fk in info.foreign_keys:
        if fk.name == name:
            return fk.columns
    for index in info.indexes:
        if index.name == name:
            return index.columns
    for check in info.checks:
        if check.name == name:
            return tuple(c.name for c in info.columns if re.search(rf'\b{re.escape(c.name)}\b', check.definition))
    return ()


def _check_expression(definition: str) -> str:
    """``CHECK (((color)::text ~ '^#'::text))`` -> ``color ~ '^#'``: the rule as a person would write it."""
    expr = re.sub(r"^CHECK \((.*)\)( NOT VALID)?$", r"\1", definition.strip(), flags=re.S)
    expr = re.sub(r"::(text|character varying|numeric|integer|bigint|date)\b", "", expr)
    expr = re.sub(r"\((\w+)\)", r"\1", expr)
    while expr.startswith("(") and expr.endswith(")") and _wraps(expr):
        expr = expr[1:-1]
    return expr


def _wraps(expr: str) -> bool:
    """True when the first "(" closes at the very last character."""
    depth = 0
    for i, ch in enumerate(expr):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i == len(expr) - 1
    return False


def _value_in(message: str) -> str | None:
    match = re.search(r': "(.*)"$', message, re.S)
    return match.group(1) if match else None


def explain(exc: DBAPIError, info: TableInfo, form: RecordForm) -> None:
    """Attach the error to the form (field or form level); re-raise what is not about the input."""
    state = sqlstate(exc)
    primary = _diag(exc, "message_primary") or str(exc.orig)
    detail = _diag(exc, "message_detail")
    constraint = _diag(exc, "constraint_name")
    columns = _constraint_columns(info, constraint)
    if state == "57014":
        raise QueryTimeout("The write took longer than the statement timeout and was cancelled; nothing changed.",
                           "Another session may hold a lock on this row; try again in a moment.") from exc
    if state == "23505":
        message = "Another row already has this value" + (f" ({detail})" if detail else "") + "."
    elif state == "23503":
        message = "No matching row in the referenced table" + (f": {detail}" if detail else "") + "."
        if detail and "is still referenced" in detail:
            message = f"Other rows still point at this row: {detail}"
    elif state == "23514":
        check = next((c for c in info.checks if c.name == constraint), None)
        rule = f": {_check_expression(check.definition)}" if check else ""
        message = f"Breaks the rule {constraint}{rule}"
    elif state == "23502":
        columns = (c,) if (c := _diag(exc, "column_name")) else ()
        message = "Required: this column cannot be NULL."
    elif state is not None and state.startswith(("22", "23", "42804")):
        message = primary[:1].upper() + primary[1:] + (f" ({detail})" if detail else "") + "."
        value = _value_in(primary)
        if value is not None:
            columns = tuple(f.facts.column for f in form.pg_fields() if f._value().strip() == value)[:1]
    elif state in ("40001", "40P01", "55P03"):
        form.add_error(None, "The row was busy (a concurrent transaction); nothing was saved. Try again.")
        return
    elif state == "42501":
        form.add_error(None, f"Permission denied: {primary}. Your database role cannot write this table.")
        return
    elif state == "25006":
        form.add_error(None, "The database session is read-only; nothing was saved.")
        return
    else:
        raise exc
    placed = False
    for column in columns:
        if form.field_for(column) is not None:
            form.add_error(column, message)
            placed = True
    if not placed:
        form.add_error(None, message if not columns else f"{', '.join(columns)}: {message}")


def describe(exc: DBAPIError) -> tuple[str, str | None, Any]:
    """(primary message, detail, sqlstate) of a database error, for messages outside a form."""
    return (_diag(exc, "message_primary") or str(exc.orig)), _diag(exc, "message_detail"), sqlstate(exc)
