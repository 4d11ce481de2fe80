"""Split a SQL batch into statements with PostgreSQL's own parser (libpg_query, through pglast).

The parser is the server's grammar itself, so quoting, dollar quotes, nested comments and ``E'...'``
escapes are read exactly as PostgreSQL reads them: what the console checks is what the server runs.
Each statement keeps its offset in the editor text (so an error position reported by PostgreSQL can be
shown at the right line and column) and its parse tree (which the read-only guard walks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pglast (3 MiB resident) is imported when SQL is first parsed, not when the server starts
    from pglast import ast


class SqlSyntaxError(ValueError):
    """The batch does not parse: PostgreSQL's own message, and where (0-based, in the editor text)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a batch: its text, where it starts in the editor text, and its parse tree
    (node locations count from ``text[0]``)."""

    text: str
    offset: int  # 0-based character offset of text[0] in the whole editor text
    node: ast.Node = field(compare=False, repr=False)

    @property
    def query_like(self) -> bool:
        """True when the statement can stand inside ``DECLARE ... CURSOR FOR`` (a plain query)."""
        from pglast import ast

        modifying = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt)
        return (isinstance(self.node, ast.SelectStmt) and self.node.intoClause is None
                and not any(isinstance(n, modifying) for n in walk(self.node)))

    @property
    def copies_out(self) -> bool:
        """``COPY ... TO STDOUT``: the rows come to us as lines of text."""
        from pglast import ast

        node = self.node
        return isinstance(node, ast.CopyStmt) and not (node.is_from or node.is_program or node.filename)

    @property
    def explainable(self) -> bool:
        from pglast import ast

        return isinstance(self.node, (ast.SelectStmt, ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt,
                                      ast.MergeStmt, ast.ExecuteStmt, ast.CreateTableAsStmt, ast.DeclareCursorStmt))


def split(sql: str, base: int = 0) -> list[Statement]:
    """The non-empty statements of ``sql``; ``base`` is added to every offset (a selection's start).

    Raises :class:`SqlSyntaxError` when the text does not parse (nothing of it is run then).
    """
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        raws = parse_sql(sql)
    except ParseError as exc:
        message, index = (*exc.args, 0)[:2]
        raise SqlSyntaxError(str(message), base + max(0, min(int(index), len(sql)))) from None
    out: list[Statement] = []
    for raw in raws:
        start, length = raw.stmt_location or 0, raw.stmt_len or 0
        text = (sql[start:start + length] if length else sql[start:]).rstrip()
        # node locations count from the start of the batch: re-read a later statement on its own so that
        # they count from its first character (a microsecond for a typical statement)
        node = raw.stmt if start == 0 else parse_sql(text)[0].stmt
        if node is not None:
            out.append(Statement(text, base + start, node))
    return out


def statement_at(sql: str, cursor: int) -> tuple[int, int] | None:
    """``(start, end)`` of the statement the cursor is in (what Ctrl+Enter runs), or None to run everything.

    The cursor between two statements belongs to the one before it (you just finished typing it); before the
    first one, to the first. Read with PostgreSQL's scanner, not its parser, so a syntax error in another
    statement of the batch does not stop this one; None when even the scanner fails (an unterminated string:
    then the whole batch runs and PostgreSQL's error says where).
    """
    from pglast.parser import ParseError, scan

    try:
        tokens = scan(sql)
    except ParseError:
        return None
    bounds: list[tuple[int, int]] = []
    start = end = -1
    code = False  # a statement of comments only is no statement
    for token in tokens:
        if token.name == "ASCII_59":  # ';' outside strings, comments and dollar quotes
            if code:
                bounds.append((start, end))
            start, code = -1, False
        else:
            start = token.start if start < 0 else start
            end = token.end + 1
            code = code or token.name not in ("SQL_COMMENT", "C_COMMENT")
    if code:
        bounds.append((start, end))
    chosen = [b for b in bounds if b[0] <= cursor] or bounds[:1]
    return chosen[-1] if chosen else None


def walk(node: object) -> list[ast.Node]:
    """Every node of the tree under ``node`` (itself included), in no particular order."""
    from pglast import ast

    found: list[ast.Node] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Node):
            found.append(item)
            for name in getattr(type(item), "__slots__", ()):
                value = getattr(item, name, None)
                if isinstance(value, (ast.Node, tuple, list)):
                    stack.append(value)
        elif isinstance(item, (tuple, list)):
            stack.extend(item)
    return found


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the 0-based character ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
