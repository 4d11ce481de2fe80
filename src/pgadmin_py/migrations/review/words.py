"""Numbers in words for the review: row counts, sizes, durations, identifiers as SQL writes them."""

from __future__ import annotations

import re
from functools import cache

from pgadmin_py.catalog.overview import human_size

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")


@cache
def _keywords() -> frozenset[str]:
    """The keywords an identifier must be quoted for (pglast imported on the first call, not at startup)."""
    from pglast import keywords

    return (frozenset(keywords.RESERVED_KEYWORDS) | frozenset(keywords.TYPE_FUNC_NAME_KEYWORDS)
            | frozenset(keywords.COL_NAME_KEYWORDS))


def rows(count: int | None, exact: bool = True) -> str:
    """2,000 rows / ~10.2M rows / 1 row; None: unknown."""
    if count is None:
        return "row count unknown (never analysed)"
    if count == 1 and exact:
        return "1 row"
    if exact or count < 10_000:
        return f"{'' if exact else '~'}{count:,} rows"
    for size, unit in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if count >= size:
            return f"~{count / size:.1f}{unit} rows"
    return f"~{count:,} rows"


def size(total_bytes: int) -> str:
    return human_size(total_bytes)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "an unknown time"
    if seconds < 1:
        return "under a second"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def milliseconds(ms: int) -> str:
    return f"{ms // 1000} s" if ms % 1000 == 0 else f"{ms} ms"


def ident(name: str) -> str:
    """``name`` as SQL would write it: bare when it can be, else double-quoted."""
    if _PLAIN.match(name) and name not in _keywords():
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str | None, name: str) -> str:
    """SQL for a table: ``orders`` in public (as migrations usually write it), else ``billing.orders``."""
    return f"{ident(schema)}.{ident(name)}" if schema and schema != "public" else ident(name)


def shown(schema: str, name: str) -> str:
    """A table's name for a reader: ``orders``, or ``billing.orders`` outside public."""
    return name if schema == "public" else f"{schema}.{name}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
