"""How much a run's backup must hold: the whole database, or the schema plus the rows of the tables it touches.

The plan's reviewed SQL (review/: statements parsed by PostgreSQL's parser, each with the existing tables it
locks) says which tables a run can change. A targeted backup is offered only when every statement is one whose
effect on existing rows is confined to the tables it locks: ALTER / CREATE INDEX / DROP TABLE or INDEX / RENAME
/ TRUNCATE / INSERT / UPDATE / DELETE, new tables, enums and sequences. Anything else (a DO block, a function,
a view, DROP TYPE, a statement the parser does not read) can touch what nobody named: the backup is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgadmin_py.migrations.review.model import Review

# statement kinds (StatementReview.kind) whose effect on existing rows and definitions is on the tables they lock
_CONFINED = frozenset({
    "AlterTableStmt:OBJECT_TABLE", "IndexStmt", "DropStmt:OBJECT_TABLE", "DropStmt:OBJECT_INDEX",
    "RenameStmt:OBJECT_TABLE", "RenameStmt:OBJECT_COLUMN", "RenameStmt:OBJECT_TABCONSTRAINT",
    "RenameStmt:OBJECT_INDEX", "TruncateStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "CreateStmt",
    "CreateTableAsStmt:OBJECT_TABLE", "TransactionStmt", "VariableSetStmt", "CreateEnumStmt", "CreateSeqStmt",
})


@dataclass(frozen=True, slots=True)
class BackupScope:
    """What the plan's backup would hold: ``tables`` (the existing tables the SQL touches) when it can be
    targeted, else ``reason``: why only a full backup is safe."""

    tables: tuple[tuple[str, str], ...] = ()  # (schema, table)
    reason: str | None = None
    related: tuple[tuple[str, str], ...] = ()  # held with them: tables with a foreign key to them, views over them

    @property
    def targeted(self) -> bool:
        return self.reason is None


def scope_of(review: Review | None, sql_known: bool) -> BackupScope:
    """The backup the reviewed SQL allows."""
    if not sql_known:
        return BackupScope(reason="the SQL could not be rendered offline, so nobody knows which tables it touches")
    if review is None:
        return BackupScope(reason="the SQL has not been reviewed yet")
    if review.problems:
        return BackupScope(reason=f"the review could not look at the database ({review.problems[0]})")
    tables: dict[tuple[str, str], None] = {}
    for stmt in review.statements:
        if stmt.bookkeeping:
            continue
        if stmt.kind not in _CONFINED:
            what = " ".join(stmt.sql.split())[:60]
            return BackupScope(reason=f"statement {stmt.index + 1} ({what}) can change what no statement names")
        tables.update((lock.name, None) for lock in stmt.locks)
    return BackupScope(tuple(tables))


Names = tuple[tuple[str, str], ...]  # (schema, name) pairs


def _names(value: object) -> Names:
    if not isinstance(value, list):
        return ()
    return tuple((str(x[0]), str(x[1])) for x in value if isinstance(x, list) and len(x) == 2)


@dataclass(frozen=True, slots=True)
class Coverage:
    """A targeted backup's record (in its sidecar): the tables whose rows it holds, and the objects that are
    dropped and recreated with them on restore. Every table's definition is in the archive either way."""

    tables: Names  # rows included, restored
    views: Names = ()
    indexes: Names = ()
    sequences: Names = ()
    touched: Names = ()  # what the SQL touches (the rest of ``tables`` hangs on these)

    def to_json(self) -> dict[str, Any]:
        return {"tables": [list(t) for t in self.tables], "views": [list(t) for t in self.views],
                "indexes": [list(t) for t in self.indexes], "sequences": [list(t) for t in self.sequences],
                "touched": [list(t) for t in self.touched]}

    @classmethod
    def from_json(cls, data: object) -> Coverage | None:
        if not isinstance(data, dict) or not isinstance(data.get("tables"), list):
            return None
        return cls(*(_names(data.get(key)) for key in ("tables", "views", "indexes", "sequences", "touched")))

    @property
    def table_names(self) -> tuple[str, ...]:
        """``orders``, ``audit.events``: the tables as a developer names them."""
        return tuple(n if s == "public" else f"{s}.{n}" for s, n in self.tables)
