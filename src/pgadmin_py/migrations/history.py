"""Run history in a small SQLite file under ``DATA_DIR`` so it survives restarts.

Every upgrade, downgrade, stamp and restore is one row: who started it, when, from which revision(s) to
which, how long it took, the outcome, the backup taken and the complete log; the schema before and after it
(JSON of :class:`~pgadmin_py.catalog.schema_snapshot.SchemaSnapshot`) in table ``run_schemas``. Tables are
created when missing, so a file of an older version gains the new ones on first use. The log is appended line by
line (table ``run_lines``) while the run goes: saving it never rewrites what was saved before. Files written
before that kept the whole log in ``runs.log``; a record's log is that text followed by its lines.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

_SCHEMA = """
create table if not exists runs (
    id integer primary key autoincrement,
    kind text not null,
    target text not null,
    started_by text not null,
    started_at text not null,
    finished_at text,
    from_revisions text not null default '[]',
    to_revisions text,
    revisions text not null default '[]',
    status text not null default 'running',
    backup text,
    error text,
    failing_revision text,
    log text not null default ''
);
create table if not exists run_lines (
    run_id integer not null,
    n integer not null,
    line text not null,
    primary key (run_id, n)
) without rowid;
create table if not exists run_schemas (
    run_id integer not null,
    phase text not null,
    snapshot text not null,
    primary key (run_id, phase)
) without rowid
"""


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    kind: str  # upgrade | downgrade | stamp | restore
    target: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...] | None
    revisions: tuple[str, ...]
    status: str  # running | succeeded | failed | interrupted
    backup: str | None
    error: str | None
    failing_revision: str | None
    log: str

    @property
    def duration(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class RunHistory:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ready = False  # the file and its tables are made on first use, not by the constructor

    def _connect(self) -> sqlite3.Connection:
        import sqlite3  # when the history is first read, not when the server starts

        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path, timeout=10)) as conn:
                conn.executescript(_SCHEMA)
            self._ready = True
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        # WAL with synchronous=NORMAL: a commit no longer waits for an fsync (which cost more than the rest
        # of the runner's overhead); a crash of the app loses nothing, an OS crash at most the last log save.
        conn.execute("pragma journal_mode=wal")
        conn.execute("pragma synchronous=normal")
        return conn

    def create(self, kind: str, target: str, started_by: str, from_revisions: tuple[str, ...],
               revisions: tuple[str, ...]) -> int:
        with self._lock, self._connect() as conn:
            cur = conn.execute(
                "insert into runs (kind, target, started_by, started_at, from_revisions, revisions) "
                "values (?, ?, ?, ?, ?, ?)",
                (kind, target, started_by, datetime.now(timezone.utc).isoformat(), json.dumps(from_revisions),
                 json.dumps(revisions)))
            return int(cur.lastrowid or 0)

    def append_log(self, run_id: int, first: int, lines: Sequence[str]) -> None:
        """Add ``lines`` to the run's log as its lines ``first``, ``first + 1``, ... (counted across the whole
        log); a line saved before is kept as it was."""
        if not lines:
            return
        with self._lock, self._connect() as conn:
            legacy = _legacy_count(conn, run_id)
            conn.executemany("insert or ignore into run_lines (run_id, n, line) values (?, ?, ?)",
                             [(run_id, first - legacy + i, line) for i, line in enumerate(lines)])

    def lines(self, run_id: int, after: int = 0) -> list[str]:
        """The run's log lines from index ``after`` on."""
        with self._connect() as conn:
            return _lines(conn, run_id)[max(after, 0):]

    def set_backup(self, run_id: int, backup: str) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("update runs set backup = ? where id = ?", (backup, run_id))

    def set_schema(self, run_id: int, phase: str, snapshot: str) -> None:
        """The schema ``before`` or ``after`` the run, as :meth:`SchemaSnapshot.to_json` wrote it."""
        with self._lock, self._connect() as conn:
            conn.execute("insert or replace into run_schemas (run_id, phase, snapshot) values (?, ?, ?)",
                         (run_id, phase, snapshot))

    def schemas(self, run_id: int) -> dict[str, str]:
        """The run's schema snapshots by phase (none for runs recorded before they were taken)."""
        with self._connect() as conn:
            return {r["phase"]: r["snapshot"] for r in conn.execute(
                "select phase, snapshot from run_schemas where run_id = ?", (run_id,))}

    def finish(self, run_id: int, status: str, to_revisions: tuple[str, ...] | None, log: str | None = None,
               error: str | None = None, failing_revision: str | None = None) -> None:
        """Record the outcome; ``log`` (the complete log, when given) adds the lines the saved log lacks."""
        if log is not None:
            saved = len(self.lines(run_id))
            self.append_log(run_id, saved, log.splitlines()[saved:])
        with self._lock, self._connect() as conn:
            conn.execute(
                "update runs set status = ?, finished_at = ?, to_revisions = ?, error = ?, "
                "failing_revision = ? where id = ?",
                (status, datetime.now(timezone.utc).isoformat(),
                 None if to_revisions is None else json.dumps(to_revisions),
                 error, failing_revision, run_id))

    def interrupt_stale(self, live_ids: set[int]) -> None:
        """Runs left 'running' by a previous server process can no longer be watched: mark them."""
        with self._lock, self._connect() as conn:
            rows = conn.execute("select id from runs where status = 'running'").fetchall()
            for row in rows:
                if row["id"] not in live_ids:
                    conn.execute("update runs set status = 'interrupted', finished_at = ? where id = ?",
                                 (datetime.now(timezone.utc).isoformat(), row["id"]))

    def running(self) -> list[RunRecord]:
        """Runs recorded as running (by this process or another)."""
        with self._connect() as conn:
            rows = conn.execute("select * from runs where status = 'running' order by id").fetchall()
            return [_record(r, "\n".join(_lines(conn, r["id"]))) for r in rows]

    def get(self, run_id: int) -> RunRecord | None:
        with self._connect() as conn:
            row = conn.execute("select * from runs where id = ?", (run_id,)).fetchone()
            return _record(row, "\n".join(_lines(conn, run_id))) if row else None

    def recent(self, limit: int = 200) -> list[RunRecord]:
        """The latest runs, newest first, without their logs (``log`` is empty: :meth:`get` has it)."""
        with self._connect() as conn:
            rows = conn.execute("select * from runs order by id desc limit ?", (limit,)).fetchall()
        return [_record(r, "") for r in rows]


def _legacy_count(conn: sqlite3.Connection, run_id: int) -> int:
    row = conn.execute("select log from runs where id = ?", (run_id,)).fetchone()
    return len(row["log"].splitlines()) if row else 0


def _lines(conn: sqlite3.Connection, run_id: int) -> list[str]:
    """The whole log: a file's older whole-text log, then the appended lines."""
    row = conn.execute("select log from runs where id = ?", (run_id,)).fetchone()
    legacy = row["log"].splitlines() if row else []
    return legacy + [r["line"] for r in conn.execute(
        "select line from run_lines where run_id = ? order by n", (run_id,))]


def _record(row: sqlite3.Row, log: str) -> RunRecord:
    return RunRecord(
        id=row["id"], kind=row["kind"], target=row["target"], started_by=row["started_by"],
        started_at=_ts(row["started_at"]) or datetime.now(timezone.utc), finished_at=_ts(row["finished_at"]),
        from_revisions=tuple(json.loads(row["from_revisions"])),
        to_revisions=tuple(json.loads(row["to_revisions"])) if row["to_revisions"] else None,
        revisions=tuple(json.loads(row["revisions"])), status=row["status"], backup=row["backup"],
        error=row["error"], failing_revision=row["failing_revision"], log=log)
