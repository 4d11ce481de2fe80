"""History and saved queries, kept across restarts in a small SQLite file under the data directory.

Handlers run in a thread pool: one connection, shared under a lock, keeps it safe and cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

HISTORY_LIMIT = 2_000
SCHEMA = """
create table if not exists history (
    id integer primary key autoincrement,
    sql text not null,
    action text not null,
    ran_at text not null,
    duration_ms real not null,
    ok integer not null,
    rows integer,
    error text
);
create table if not exists saved (
    id integer primary key autoincrement,
    name text not null,
    sql text not null,
    saved_at text not null
);
"""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    sql: str
    action: str  # run | explain | analyze
    ran_at: datetime
    duration_ms: float
    ok: bool
    rows: int | None
    error: str | None

    @property
    def summary(self) -> str:
        return " ".join(self.sql.split())[:160]


@dataclass(frozen=True, slots=True)
class SavedQuery:
    id: int
    name: str
    sql: str
    saved_at: datetime


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Library:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection for the app's life, used under a lock (opening one per call costs more than the query)."""
        with self._lock:
            if self._conn is None:
                import sqlite3  # on the console's first use, not when the server starts

                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
                conn.execute("pragma journal_mode = wal")
                conn.execute("pragma synchronous = normal")  # history is worth keeping, not an fsync per query
                conn.executescript(SCHEMA)
                self._conn = conn
            with self._conn:
                yield self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def record(self, sql: str, action: str, duration_ms: float, ok: bool, rows: int | None,
               error: str | None) -> int:
        with self._db() as db:
            cursor = db.execute(
                "insert into history (sql, action, ran_at, duration_ms, ok, rows, error) values (?,?,?,?,?,?,?)",
                (sql, action, datetime.now(timezone.utc).isoformat(), duration_ms, int(ok), rows, error))
            db.execute("delete from history where id <= (select max(id) from history) - ?", (HISTORY_LIMIT,))
            return int(cursor.lastrowid or 0)

    def history(self, search: str = "", limit: int = 50) -> list[HistoryEntry]:
        with self._db() as db:
            rows = db.execute("select id, sql, action, ran_at, duration_ms, ok, rows, error from history "
                              "where sql like ? escape '\\' order by id desc limit ?",
                              (_like(search), limit)).fetchall()
        return [HistoryEntry(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], bool(r[5]), r[6], r[7])
                for r in rows]

    def history_entry(self, entry_id: int) -> HistoryEntry | None:
        with self._db() as db:
            r = db.execute("select id, sql, action, ran_at, duration_ms, ok, rows, error from history where id = ?",
                           (entry_id,)).fetchone()
        return None if r is None else HistoryEntry(r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], bool(r[5]),
                                                  r[6], r[7])

    def save(self, name: str, sql: str) -> int:
        with self._db() as db:
            cursor = db.execute("insert into saved (name, sql, saved_at) values (?,?,?)",
                                (name, sql, datetime.now(timezone.utc).isoformat()))
            return int(cursor.lastrowid or 0)

    def saved(self, search: str = "") -> list[SavedQuery]:
        with self._db() as db:
            rows = db.execute("select id, name, sql, saved_at from saved where name like ? escape '\\' "
                              "or sql like ? escape '\\' order by name collate nocase, id",
                              (_like(search), _like(search))).fetchall()
        return [SavedQuery(r[0], r[1], r[2], datetime.fromisoformat(r[3])) for r in rows]

    def saved_query(self, saved_id: int) -> SavedQuery | None:
        with self._db() as db:
            r = db.execute("select id, name, sql, saved_at from saved where id = ?", (saved_id,)).fetchone()
        return None if r is None else SavedQuery(r[0], r[1], r[2], datetime.fromisoformat(r[3]))

    def delete_saved(self, saved_id: int) -> bool:
        with self._db() as db:
            return db.execute("delete from saved where id = ?", (saved_id,)).rowcount > 0
