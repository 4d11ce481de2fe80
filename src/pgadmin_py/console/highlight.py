"""Server-side SQL highlighting with Pygments: spans with short CSS classes (k, s, c1, ...) that
static/css/sql.css colours for the dark and the light theme."""

from __future__ import annotations

from pgadmin_py.core.cache import BoundedCache


def highlight_sql(sql: str) -> str:
    """HTML (already escaped) of ``sql`` with token spans; safe to mark as such in a template."""
    # Pygments is imported on first use: a server that shows no SQL never holds it (2 MiB resident)
    from pygments import highlight  # type: ignore[import-untyped]
    from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
    from pygments.lexers.sql import PostgresLexer  # type: ignore[import-untyped]

    html = str(highlight(sql, PostgresLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True)))
    return html if sql.endswith("\n") else html.rstrip("\n")


class Highlighter:
    """``highlight_sql`` with the last texts' HTML kept (history and saved queries repeat on every page); owned by
    the console service."""

    def __init__(self, size: int = 256) -> None:
        self._cache: BoundedCache[str, str] = BoundedCache(size)

    def __call__(self, sql: str) -> str:
        return self._cache.get_or_build(sql, lambda: highlight_sql(sql))
