"""Format on demand: PostgreSQL's own parser reads the text, pglast's prettifier writes it back.

Comments are kept; what does not parse is not touched (the error says where, as a run would).
"""

from __future__ import annotations

from pgadmin_py.console.errors import ConsoleError
from pgadmin_py.console.statements import line_col


def format_sql(sql: str) -> str:
    """``sql`` laid out one clause a line, keywords upper case, commas at the end of the line."""
    if not sql.strip():
        return sql
    from pglast import prettify  # imported on the first Format, not when the server starts
    from pglast.parser import ParseError

    try:
        return prettify(sql, preserve_comments=True, comma_at_eoln=True)
    except ParseError as exc:
        message, index = (*exc.args, 0)[:2]
        line, column = line_col(sql, int(index))
        raise ConsoleError(f"Cannot format: {message} (line {line}, column {column}).",
                           "Fix the syntax error first; the text was left as it was.") from None
