"""Server-side SQL highlighting with Pygments: spans with short CSS classes (k, s, c1, ...) that
static/css/sql.css colours for the dark and the light theme."""

from __future__ import annotations

from functools import lru_cache

from pygments import highlight as _highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexers.sql import PostgresLexer  # type: ignore[import-untyped]

_LEXER = PostgresLexer(stripnl=False, ensurenl=False)
_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def highlight_sql(sql: str) -> str:
    """HTML (already escaped) of ``sql`` with token spans; safe to mark as such in a template."""
    html = str(_highlight(sql, _LEXER, _FORMATTER))
    return html if sql.endswith("\n") else html.rstrip("\n")
