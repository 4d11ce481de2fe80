"""Runs left 'running' by another server process: still going, or finished, or lost? Ask the database.

A run is never called interrupted while its guard's session lives (``pg_stat_activity`` by
``application_name``): it is "still running" there. Once the guard is gone, its outcome file says how the
migration ended, and the log it kept fills in what the dead server never saw. A migration session left
without its guard (the guard was killed) is terminated: nothing may run on without the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in
from pgadmin_py.migrations.guarded import app_name, read_outcome, run_files, run_sessions, terminate_sessions
from pgadmin_py.migrations.history import RunHistory, RunRecord

PREFIX = "pgadmin-py "
UNASSIGNED = ("pgadmin-py lock", "pgadmin-py migration lock")  # a guard not yet told its run id


def reconcile(history: RunHistory, url: DatabaseUrl, live: set[int],
              current: Callable[[], tuple[str, ...] | None] | None) -> dict[int, str]:
    """Settle every run recorded as running that this process does not run; ``{run id: where it still runs}``
    for those still going elsewhere."""
    stale = [r for r in history.running() if r.id not in live]
    if not stale:
        return {}
    try:
        sessions = run_sessions(url, PREFIX)
    except psycopg.Error:
        return {}  # the database is unreachable: settle nothing, we cannot know
    if any(name in sessions for name in UNASSIGNED):
        return {}  # a run is being started this very moment: look again on the next request
    notes: dict[int, str] = {}
    for record in stale:
        app = app_name(history.path, record.id)
        guard, child = sessions.get(f"{app} lock", []), sessions.get(app, [])
        if guard:
            notes[record.id] = (f"still running in another pgadmin-py process: its guard holds the lock (backend "
                                f"pid {guard[0]})" + (f", the migration's session is backend pid "
                                                      f"{', '.join(map(str, child))}" if child else ""))
            continue
        _settle(history, url, record, child, current)
    return notes


def _settle(history: RunHistory, url: DatabaseUrl, record: RunRecord, child: list[int],
            current: Callable[[], tuple[str, ...] | None] | None) -> None:
    terminated = terminate_sessions(url, child) if child else 0
    log_path, outcome_path = run_files(history.path.parent, record.id)
    outcome = read_outcome(outcome_path)
    lines = record.log.splitlines()
    lines += _unseen(lines, log_path)
    if outcome is not None:
        status = "succeeded" if outcome.exit == 0 else "failed"
        lines.append(f"pgadmin-py: the server stopped during this run; its guard held the lock until the "
                     f"migration ended, with exit code {outcome.exit}")
        error = None if outcome.exit == 0 else (
            f"The server stopped during this run; the migration went on and failed (exit code {outcome.exit}).")
    else:
        status = "interrupted"
        error = ("The run stopped with the server before the migration ended; whatever it had not committed "
                 "was rolled back.")
    if terminated:
        lines.append(f"pgadmin-py: terminated {terminated} database session(s) left running without the lock")
        error = (error or "") + f" {terminated} database session(s) left without the lock were terminated."
    if record.kind == "rehearsal":
        # it ran on a throwaway copy (dropped at the next start): the real database is where it was before
        if status != "succeeded":
            error = "The rehearsal stopped with the server; it ran on a copy, so the database was not touched."
        history.finish(record.id, status, record.from_revisions, "\n".join(lines), error)
        return
    try:
        now_at = current() if current is not None else None
    except Exception:  # noqa: BLE001 - the record must be settled even if the version table cannot be read
        now_at = None
    history.finish(record.id, status, now_at, "\n".join(lines), error)


def _unseen(saved: list[str], log_path: Path) -> list[str]:
    """The lines of the guard's log the dead server never saved (the saved log holds them in order)."""
    try:
        guard_lines = [mask_urls_in(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return []
    seen = 0
    for line in saved:
        if seen < len(guard_lines) and line == guard_lines[seen]:
            seen += 1
    return guard_lines[seen:]
