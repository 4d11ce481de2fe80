"""What a statement destroys or rewrites, in words, from its parse tree alone (no database): the revision
page's flags, and the plan's list of destructive operations."""

from __future__ import annotations

from pglast import ast as pg
from pglast import enums

from pgadmin_py.migrations.review.statements import Statement, dotted

TYPE_CHANGE = "ALTER COLUMN TYPE"

_DROPS = {enums.ObjectType.OBJECT_TABLE: "table", enums.ObjectType.OBJECT_SCHEMA: "schema",
          enums.ObjectType.OBJECT_TYPE: "type", enums.ObjectType.OBJECT_VIEW: "view",
          enums.ObjectType.OBJECT_MATVIEW: "materialized view"}


def destroys(stmt: Statement) -> list[tuple[str, str]]:
    """(the SQL words, the words for a reader) of what one statement destroys or rewrites."""
    node = stmt.node
    if stmt.bookkeeping or node is None:
        return []
    found: list[tuple[str, str]] = []
    if isinstance(node, pg.DropStmt) and node.removeType in _DROPS:
        what = _DROPS[node.removeType]
        for item in node.objects or ():
            name = dotted(item if isinstance(item, tuple) else (item,))
            if name is not None:
                found.append((f"DROP {what.upper()}", f"drops {what} {name[1]}"))
    elif isinstance(node, pg.AlterTableStmt):
        for cmd in node.cmds or ():
            if isinstance(cmd, pg.AlterTableCmd) and cmd.subtype == enums.AlterTableType.AT_DropColumn:
                found.append(("DROP COLUMN", f"drops column {cmd.name}"))
            elif isinstance(cmd, pg.AlterTableCmd) and cmd.subtype == enums.AlterTableType.AT_AlterColumnType:
                found.append((TYPE_CHANGE, f"changes the type of column {cmd.name}"))
    elif isinstance(node, pg.DeleteStmt) and node.relation is not None:
        found.append(("DELETE FROM", f"deletes rows from {node.relation.relname}"))
    elif isinstance(node, pg.UpdateStmt) and node.relation is not None:
        found.append(("UPDATE", f"updates rows of {node.relation.relname}"))
    elif isinstance(node, pg.TruncateStmt):
        found.extend(("TRUNCATE", f"truncates {r.relname}") for r in node.relations or ()
                     if isinstance(r, pg.RangeVar))
    return found
