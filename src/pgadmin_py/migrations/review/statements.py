"""The offline SQL of a plan as statements, parsed by PostgreSQL's own parser (libpg_query, through pglast).

Each statement keeps its source text, the revision whose ``-- Running upgrade a -> b`` comment precedes it,
and whether it runs inside an explicit transaction (``BEGIN`` ... ``COMMIT``, as Alembic's offline mode writes
them; ``autocommit_block()`` shows as ``COMMIT`` ... ``BEGIN``). Text that does not parse is kept as one
statement per ``;`` with the parser's message, so the page still shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pglast import ast, enums
from pglast.parser import ParseError, parse_sql, scan

_RUNNING = re.compile(r"--\s*Running (upgrade|downgrade)\s+(.*?)\s*->\s*([^\n]*)")
_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    text: str  # the statement as written, without the trailing semicolon
    node: ast.Node | None  # None when it does not parse
    revision: str | None  # the revision this statement belongs to, from Alembic's "-- Running" comments
    in_transaction: bool  # inside BEGIN ... COMMIT
    line: int  # 1-based line of the statement in the SQL
    error: str | None = None

    @property
    def kind(self) -> str:
        """The parse node's type, with the kind of object for DROP / RENAME / ALTER / CREATE ... AS:
        ``DropStmt:OBJECT_TABLE``, ``UpdateStmt``; "" when the statement does not parse."""
        if self.node is None:
            return ""
        detail = next((getattr(self.node, a) for a in ("removeType", "renameType", "objtype")
                       if getattr(self.node, a, None) is not None), None)
        name = type(self.node).__name__
        return f"{name}:{getattr(detail, 'name', detail)}" if detail is not None else name

    @property
    def bookkeeping(self) -> bool:
        """BEGIN / COMMIT and Alembic's own version-table statements: shown, never reviewed."""
        node = self.node
        if isinstance(node, ast.TransactionStmt):
            return True
        relation = None
        if isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.CreateStmt):
            relation = node.relation
        return relation is not None and relation.relname == _VERSION_TABLE


def _revision(comment: str) -> str | None:
    """The revision a ``-- Running upgrade a -> b`` comment announces: b when upgrading, a when downgrading."""
    found = list(_RUNNING.finditer(comment))
    if not found:
        return None
    match = found[-1]
    moved = match.group(3) if match.group(1) == "upgrade" else match.group(2)
    return moved.split(",")[0].strip() or None


def _chunks(sql: str) -> list[tuple[int, int]]:
    """(start, end) of each statement, split at top-level semicolons by PostgreSQL's scanner."""
    spans: list[tuple[int, int]] = []
    start = None
    for token in scan(sql):
        if token.name == "ASCII_59":
            if start is not None:
                spans.append((start, token.start))
            start = None
        elif start is None:
            start = token.start
    if start is not None:
        spans.append((start, len(sql)))
    return spans


def _parsed(sql: str) -> list[tuple[int, int, ast.Node | None, str | None]]:
    """(start, end, node, error) per statement; one parse for the whole text, per chunk when that fails."""
    try:
        raws = parse_sql(sql)
    except ParseError:
        raws = None
    if raws is not None:
        spans: list[tuple[int, int, ast.Node | None, str | None]] = []
        for raw in raws:
            start = raw.stmt_location or 0
            spans.append((start, start + (raw.stmt_len or len(sql) - start), raw.stmt, None))
        return spans
    out: list[tuple[int, int, ast.Node | None, str | None]] = []
    for start, end in _chunks(sql):
        try:
            nodes = parse_sql(sql[start:end])
        except ParseError as exc:
            out.append((start, end, None, str(exc.args[0]) if exc.args else str(exc)))
            continue
        out.extend((start, end, raw.stmt, None) for raw in nodes[:1])
    return out


def parse_statements(sql: str) -> list[Statement]:
    """The statements of ``sql`` in order (comments and blank text between them dropped)."""
    statements: list[Statement] = []
    revision: str | None = None
    in_transaction = False
    previous_end = 0
    for start, end, node, error in _parsed(sql):
        text = sql[start:end].strip().rstrip(";").strip()
        if not text:
            continue
        revision = _revision(sql[previous_end:start]) or revision
        previous_end = end
        if isinstance(node, ast.TransactionStmt):
            kind = node.kind
            if kind in (enums.TransactionStmtKind.TRANS_STMT_BEGIN, enums.TransactionStmtKind.TRANS_STMT_START):
                in_transaction = True
            elif kind in (enums.TransactionStmtKind.TRANS_STMT_COMMIT, enums.TransactionStmtKind.TRANS_STMT_ROLLBACK,
                          enums.TransactionStmtKind.TRANS_STMT_COMMIT_PREPARED):
                in_transaction = False
        inside = in_transaction and not isinstance(node, ast.TransactionStmt)
        statements.append(Statement(len(statements), text, node, revision, inside, sql.count("\n", 0, start) + 1,
                                    error))
    return statements


def relation_name(node: ast.RangeVar | None) -> tuple[str | None, str] | None:
    """(schema or None, name) of a table reference."""
    if node is None or not node.relname:
        return None
    return node.schemaname or None, node.relname


def dotted(names: tuple[ast.Node, ...] | tuple[object, ...] | None) -> tuple[str | None, str] | None:
    """(schema or None, name) of a qualified name given as a list of String nodes (DROP, ALTER TYPE)."""
    parts = [n.sval for n in names or () if isinstance(n, ast.String) and n.sval is not None]
    if not parts:
        return None
    return (parts[-2] if len(parts) > 1 else None), parts[-1]
