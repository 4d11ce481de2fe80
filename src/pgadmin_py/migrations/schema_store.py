"""The schema before and after each run, kept next to the run history (the same SQLite file, its own table).

Like the history's own tables, the table is created when missing (``create table if not exists``): a history
file written by an older pgadmin-py gains it on first use, and its older runs simply have no snapshot.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from pgadmin_py.catalog.schema_snapshot import SchemaSnapshot

_SCHEMA = """
create table if not exists run_schemas (
    run_id integer not null,
    phase text not null,  -- before | after
    snapshot text not null,  -- SchemaSnapshot.to_json()
    primary key (run_id, phase)
) without rowid
"""
PHASES = ("before", "after")


class SchemaStore:
    def __init__(self, history_path: Path) -> None:
        self.path = history_path
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path, timeout=10)) as conn:
                conn.executescript(_SCHEMA)
            self._ready = True
        return sqlite3.connect(self.path, timeout=10)

    def save(self, run_id: int, phase: str, snapshot: SchemaSnapshot) -> None:
        assert phase in PHASES
        with self._lock, contextlib.closing(self._connect()) as conn, conn:
            conn.execute("insert or replace into run_schemas (run_id, phase, snapshot) values (?, ?, ?)",
                         (run_id, phase, snapshot.to_json()))

    def load(self, run_id: int) -> dict[str, SchemaSnapshot]:
        """The run's snapshots by phase (none for a run recorded before snapshots were taken)."""
        with contextlib.closing(self._connect()) as conn:
            rows = conn.execute("select phase, snapshot from run_schemas where run_id = ?", (run_id,)).fetchall()
        return {phase: SchemaSnapshot.from_json(text) for phase, text in rows}
