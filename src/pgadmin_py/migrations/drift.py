"""Models versus the live database, in words, through Alembic's autogenerate comparison.

The comparison runs in the server process on metadata that ``orm/`` already imported; it only
*reads* the database (no env.py is executed). The same comparison renders the revision script a
developer would get from ``alembic revision --autogenerate``, offered as a download: the project
directory may be mounted read-only, so nothing is ever written into it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata, produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData
from sqlalchemy.dialects import postgresql

from pgadmin_py.migrations.status import VERSION_TABLE

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class DriftItem:
    kind: str  # missing_table, extra_table, missing_column, extra_column, type, nullable, default, index, ...
    table: str
    column: str | None
    message: str


def _qualified(schema: str | None, table: str) -> str:
    return f"{schema}.{table}" if schema else table


def _db_type(type_: Any) -> str:
    try:
        return str(type_.compile(dialect=_DIALECT)).lower()
    except Exception:  # noqa: BLE001 - an exotic type still gets a readable name
        return repr(type_)


def _model_type(type_: Any) -> str:
    return repr(type_).replace("length=", "").replace("()", "")


def _modification(op: tuple[Any, ...]) -> DriftItem | None:
    kind, schema, table, column = op[0], op[1], op[2], op[3]
    name = f"{_qualified(schema, table)}.{column}"
    if kind == "modify_type":
        db, model = op[5], op[6]
        return DriftItem("type", table, column,
                         f"column {name}: model says {_model_type(model)}, database has {_db_type(db)}")
    if kind == "modify_nullable":
        db_nullable, model_nullable = op[5], op[6]
        words = {True: "allows NULL", False: "is NOT NULL"}
        return DriftItem("nullable", table, column,
                         f"column {name}: model {words[model_nullable]}, database {words[db_nullable]}")
    if kind == "modify_default":
        return DriftItem("default", table, column, f"column {name}: the server default differs from the model")
    if kind == "modify_comment":
        return DriftItem("comment", table, column, f"column {name}: the comment differs from the model")
    return None


def _describe(diff: Any) -> DriftItem | None:
    if isinstance(diff, list):
        return _modification(diff[0]) if diff else None
    kind = diff[0]
    if kind == "add_table":
        t = diff[1]
        return DriftItem("missing_table", t.name, None,
                         f"table {_qualified(t.schema, t.name)} is in the models but not in the database")
    if kind == "remove_table":
        t = diff[1]
        return DriftItem("extra_table", t.name, None,
                         f"table {_qualified(t.schema, t.name)} is in the database but no model defines it")
    if kind in ("add_column", "remove_column"):
        schema, table, col = diff[1], diff[2], diff[3]
        where = ("is in the model but missing from the database" if kind == "add_column"
                 else "is in the database but not in the model")
        return DriftItem("missing_column" if kind == "add_column" else "extra_column", table, col.name,
                         f"column {_qualified(schema, table)}.{col.name} {where}")
    if kind in ("add_index", "remove_index"):
        ix = diff[1]
        where = "the model declares it but the database lacks it" if kind == "add_index" else "only the database has it"
        cols = ", ".join(c.name for c in ix.columns) if ix.columns is not None else "?"
        return DriftItem("missing_index" if kind == "add_index" else "extra_index", ix.table.name, None,
                         f"index {ix.name} on {ix.table.name} ({cols}): {where}")
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        cols = ", ".join(c.name for c in fk.columns)
        where = "the model declares it but the database lacks it" if kind == "add_fk" else "only the database has it"
        return DriftItem("missing_fk" if kind == "add_fk" else "extra_fk", fk.table.name, None,
                         f"foreign key on {fk.table.name} ({cols}) -> {fk.referred_table.name}: {where}")
    if kind in ("add_constraint", "remove_constraint"):
        con = diff[1]
        where = ("the model declares it but the database lacks it" if kind.startswith("add")
                 else "only the database has it")
        return DriftItem("constraint", con.table.name, None, f"constraint {con.name} on {con.table.name}: {where}")
    return DriftItem("other", "", None, f"{kind}: {diff[1:]!r}")


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    return not (type_ == "table" and name == VERSION_TABLE)


def _context_opts(metadata: MetaData) -> dict[str, Any]:
    schemas = {t.schema for t in metadata.tables.values() if t.schema}
    return {"compare_type": True, "compare_server_default": False, "include_name": _include_name,
            "include_schemas": bool(schemas), "target_metadata": metadata}


def compute_drift(engine: Engine, metadata: MetaData) -> list[DriftItem]:
    """Every difference between the models' metadata and the database, described in words."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=_context_opts(metadata))
        diffs = compare_metadata(context, metadata)
    return [item for item in map(_describe, diffs) if item is not None]


_SCRIPT = '''"""{message}

Revision ID: {revision}
Revises: {down}
Create Date: {date}

{note}
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = {revision!r}
down_revision: str | Sequence[str] | None = {down_value}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def _script(message: str, heads: tuple[str, ...], upgrade: str, downgrade: str, note: str) -> str:
    down_value = repr(heads[0]) if len(heads) == 1 else (repr(tuple(heads)) if heads else "None")
    return _SCRIPT.format(message=message, revision=secrets.token_hex(6), down=", ".join(heads) or "<base>",
                          date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"), down_value=down_value,
                          upgrade=upgrade, downgrade=downgrade, note=note)


def _indent(code: str) -> str:
    lines = [ln for ln in code.strip("\n").splitlines() if not ln.strip().startswith("# ###")]
    body = "\n".join(f"    {ln.strip()}" if not ln.startswith("    ") else ln for ln in lines if ln.strip())
    return body or "    pass"


def autogenerate_script(engine: Engine, metadata: MetaData, heads: tuple[str, ...],
                        message: str = "sync models with database") -> str:
    """The revision script ``alembic revision --autogenerate`` would write, as text."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=_context_opts(metadata))
        script = produce_migrations(context, metadata)
    assert script.upgrade_ops is not None and script.downgrade_ops is not None
    upgrade = render_python_code(script.upgrade_ops, migration_context=context)
    downgrade = render_python_code(script.downgrade_ops, migration_context=context)
    return _script(message, heads, _indent(upgrade), _indent(downgrade),
                   "Generated by pgadmin-py from the difference between your models and the database.\n"
                   "Review it before use: autogenerate cannot see renames and some type changes.")


def merge_script(heads: tuple[str, ...], message: str = "merge heads") -> str:
    """A merge revision joining ``heads``, as ``alembic merge`` would write it."""
    return _script(message, heads, "    pass", "    pass",
                   "Generated by pgadmin-py: joins the heads so that `alembic upgrade head` works again.")
