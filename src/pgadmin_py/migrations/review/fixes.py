"""The safe way, as Alembic code a user can paste into a revision's ``upgrade()``.

Built from the statement itself (re-printed by PostgreSQL's parser after the change the fix needs, e.g.
``CONCURRENTLY`` or ``NOT VALID``), with Alembic's own operations where they say it best
(``op.create_index(..., postgresql_concurrently=True)`` inside ``autocommit_block()``). Nothing here
touches the user's files: the page shows the code, the user decides.
"""

from __future__ import annotations

import json

from pglast import ast
from pglast.stream import RawStream

from pgadmin_py.migrations.review.words import ident, qualified

AUTOCOMMIT = "with op.get_context().autocommit_block():"


def py(text: str) -> str:
    """A Python string literal: double quotes (Alembic's style) unless the text holds them and no single ones."""
    if '"' in text and "'" not in text:
        return "'" + text.replace("\\", "\\\\") + "'"
    return json.dumps(text, ensure_ascii=False)


def sql_of(node: ast.Node) -> str:
    return str(RawStream()(node))


def execute(statement: str, comment: str = "") -> str:
    return f"op.execute({py(statement)})" + (f"  # {comment}" if comment else "")


def autocommit(*lines: str) -> str:
    body = "\n".join("    " + line for chunk in lines for line in chunk.splitlines())
    return f"{AUTOCOMMIT}\n{body}"


def _schema_kw(schema: str | None) -> str:
    return f", schema={py(schema)}" if schema and schema != "public" else ""


def create_index_concurrently(node: ast.IndexStmt) -> str:
    """``op.create_index(..., postgresql_concurrently=True)`` for a plain column index, else the statement
    itself with CONCURRENTLY, both inside ``autocommit_block()`` (CONCURRENTLY cannot run in a transaction)."""
    relation = node.relation
    elems = node.indexParams or ()
    plain = (relation is not None and node.idxname and not node.whereClause and not node.indexIncludingParams
             and (node.accessMethod or "btree") == "btree" and elems
             and all(isinstance(e, ast.IndexElem) and e.name and not e.opclass and not e.collation for e in elems))
    if plain and relation is not None and relation.relname:
        names = ", ".join(py(e.name) for e in elems if isinstance(e, ast.IndexElem) and e.name)
        unique = ", unique=True" if node.unique else ""
        call = (f"op.create_index({py(node.idxname or '')}, {py(relation.relname)}, [{names}]{unique}"
                f"{_schema_kw(relation.schemaname)}, postgresql_concurrently=True)")
        return autocommit(call)
    clone = ast.IndexStmt(node())
    clone.concurrent = True
    return autocommit(execute(sql_of(clone)))


def drop_index_concurrently(schema: str, name: str, table: str) -> str:
    return autocommit(f"op.drop_index({py(name)}, table_name={py(table)}{_schema_kw(schema)}, "
                      "postgresql_concurrently=True)")


def in_autocommit(statement: str) -> str:
    return autocommit(execute(statement))


def not_valid_then_validate(node: ast.AlterTableStmt, cmd: ast.AlterTableCmd, name: str) -> str:
    """ADD CONSTRAINT ... NOT VALID (a moment's lock, no scan), then VALIDATE in its own transaction (a scan
    under SHARE UPDATE EXCLUSIVE: reads and writes go on)."""
    table = qualified(node.relation.schemaname, node.relation.relname or "") if node.relation else "?"
    constraint = ast.Constraint(cmd.def_()) if isinstance(cmd.def_, ast.Constraint) else None
    if constraint is None:
        return ""
    constraint.skip_validation = True
    constraint.initially_valid = False
    constraint.conname = name
    clone = ast.AlterTableStmt(node())
    clone.cmds = (ast.AlterTableCmd({**cmd(), "def_": constraint()}),)
    return "\n".join([
        execute(sql_of(clone), "checks new rows at once, existing rows later"),
        autocommit(execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {ident(name)}",
                           "scans under SHARE UPDATE EXCLUSIVE: reads and writes go on")),
    ])


def unique_via_index(schema: str | None, table: str, columns: list[str], name: str, primary: bool) -> str:
    """Build the unique index CONCURRENTLY, then attach it as the constraint (a moment's lock)."""
    cols = ", ".join(py(c) for c in columns)
    kind = "PRIMARY KEY" if primary else "UNIQUE"
    return "\n".join([
        autocommit(f"op.create_index({py(name)}, {py(table)}, [{cols}], unique=True{_schema_kw(schema)}, "
                   "postgresql_concurrently=True)"),
        execute(f"ALTER TABLE {qualified(schema, table)} ADD CONSTRAINT {ident(name)} {kind} USING INDEX "
                f"{ident(name)}"),
    ])


def set_not_null(schema: str | None, table: str, column: str) -> str:
    """SET NOT NULL without the long scan: a valid CHECK (col IS NOT NULL) proves it (PostgreSQL 12+)."""
    check = f"{table}_{column}_not_null"[:63]
    schema_kw = _schema_kw(schema)
    return "\n".join([
        f"op.create_check_constraint({py(check)}, {py(table)}, {py(ident(column) + ' IS NOT NULL')}{schema_kw}, "
        "postgresql_not_valid=True)",
        autocommit(execute(f"ALTER TABLE {qualified(schema, table)} VALIDATE CONSTRAINT {ident(check)}",
                           "scans without blocking reads or writes")),
        f"op.alter_column({py(table)}, {py(column)}, nullable=False{schema_kw})  # no scan: the CHECK proves it",
        f"op.drop_constraint({py(check)}, {py(table)}{schema_kw}, type_=\"check\")",
    ])


def backfill(schema: str | None, table: str, column: str, value: str) -> str:
    target = qualified(schema, table)
    return autocommit(execute(f"UPDATE {target} SET {ident(column)} = {value} WHERE {ident(column)} IS NULL",
                              "on a big table: in batches, e.g. WHERE id BETWEEN ... AND ..."))
