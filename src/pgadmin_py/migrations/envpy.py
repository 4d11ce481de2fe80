"""Facts about a project's env.py read from its source: where the version table lives, async or not.

``context.configure(version_table="...", version_table_schema="...")`` moves Alembic's bookkeeping
table; reading the status from the default ``alembic_version`` would then report "no version table"
for a perfectly migrated database. Only literal strings are understood; anything computed falls back
to Alembic's defaults.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.pyast import parse_module

DEFAULT_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class EnvFacts:
    version_table: str = DEFAULT_TABLE
    version_table_schema: str | None = None
    is_async: bool = False

    @property
    def qualified(self) -> str:
        """The version table as a quoted SQL identifier, e.g. ``"meta"."schema_history"``."""
        table = quote_ident(self.version_table)
        return f"{quote_ident(self.version_table_schema)}.{table}" if self.version_table_schema else table


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_env(script_location: Path) -> EnvFacts:
    path = script_location / "env.py"
    try:
        tree = parse_module(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return EnvFacts()
    found: dict[str, str] = {}
    is_async = False
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef):
            is_async = True
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg in {"version_table", "version_table_schema"} and isinstance(value, ast.Constant) \
                        and isinstance(value.value, str):
                    found.setdefault(keyword.arg, value.value)
    return EnvFacts(found.get("version_table", DEFAULT_TABLE), found.get("version_table_schema"), is_async)
