"""Helpers for the review tests: the `review` fixture project at its base revision, and the plan page's
statements read back as (revision, sql, rules, text)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mig_support import FIXTURES, text_of

from pgadmin_py.core.dburl import DatabaseUrl

PROJECT = FIXTURES / "review"
BASE = "rv00"
LAST_SAFE = "sf10"
SAFE = tuple(f"sf{i:02d}" for i in range(1, 11))
RISKY = tuple(f"rk{i:02d}" for i in range(1, 19))

# every rule the risky revisions must raise, and nothing else; the safe revisions raise none
EXPECTED: dict[str, set[str]] = {
    "rk01": {"require-concurrent-index-creation"},
    "rk02": {"ban-concurrent-index-creation-in-transaction"},
    "rk03": {"require-concurrent-index-deletion"},
    "rk04": {"adding-field-with-default"},
    "rk05": {"adding-required-field"},
    "rk06": {"adding-not-nullable-field", "not-null-over-nulls"},
    "rk07": {"changing-column-type", "type-change-uncastable"},
    "rk08": {"changing-column-type", "type-change-loses-values"},
    "rk09": {"adding-foreign-key-constraint", "foreign-key-over-orphans"},
    "rk10": {"constraint-missing-not-valid"},
    "rk11": {"disallowed-unique-constraint", "unique-over-duplicates"},
    "rk12": {"adding-serial-primary-key-field"},
    "rk13": {"ban-drop-column"},
    "rk14": {"ban-drop-table"},
    "rk15": {"renaming-column"},
    "rk16": {"renaming-table"},
    "rk17": {"ban-truncate-cascade"},
    "rk18": {"adding-enum-value-in-transaction"},
}

_STMT = re.compile(r'<div class="rv-stmt[^"]*" data-testid="stmt" data-stmt="(\d+)" data-revision="([^"]*)">')


@dataclass(frozen=True)
class ShownStatement:
    index: int
    revision: str
    html: str

    @property
    def rules(self) -> list[str]:
        return re.findall(r'data-testid="finding" data-rule="([^"]+)"', self.html)

    @property
    def text(self) -> str:
        return html.unescape(text_of(self.html))

    @property
    def sql(self) -> str:
        match = re.search(r'<div class="rv-sql">(.*?)</div>\s*(?:<div class="rv-notes">|</div>)', self.html, re.S)
        return html.unescape(text_of(match.group(1))) if match else ""


def statements(page: str) -> list[ShownStatement]:
    """The plan page's statements, each with its own notes (up to the next statement)."""
    found = list(_STMT.finditer(page))
    out = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else page.find("</section>", match.end())
        out.append(ShownStatement(int(match.group(1)), match.group(2), page[match.start():end]))
    return out


def alembic(url: DatabaseUrl, *args: str) -> str:
    """The fixture's own CLI (`alembic ...` in the project directory), as its developer would run it."""
    result = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=PROJECT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url.libpq()}, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def at_base(url: DatabaseUrl, revision: str = BASE) -> DatabaseUrl:
    alembic(url, "upgrade", revision)
    return url


def project_env(url: DatabaseUrl, data: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(PROJECT / "alembic.ini"), "PROJECT_DIR": str(PROJECT),
            "DATA_DIR": str(data), **extra}
