"""Where the database stands against the project's revisions: current, heads, pending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class MigrationSummary:
    ini_path: Path | None
    revision_count: int = 0
    heads: tuple[str, ...] = ()
    current: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    version_table_exists: bool = False
    problem: str | None = None
    unknown_current: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return self.ini_path is not None and self.problem is None


def read_current(engine: Engine, qualified: str = VERSION_TABLE) -> tuple[bool, tuple[str, ...]]:
    """Whether the version table exists, and the revisions it holds. ``qualified`` is a quoted SQL name
    read from the project's env.py (``envpy.EnvFacts.qualified``), never from a request."""
    with engine.connect() as conn:
        exists = conn.execute(text("select to_regclass(:t) is not null"), {"t": qualified}).scalar_one()
        if not exists:
            return False, ()
        rows = conn.execute(text(f"select version_num from {qualified} order by 1")).scalars().all()
    return True, tuple(rows)
