"""Runs: lock, back up, start the child, fan its output out, record the outcome.

A run is started synchronously up to taking the PostgreSQL advisory lock (so a second request is
refused at once, whichever replica it reaches), then continues in a background thread: closing the
browser tab only stops *watching*. Watchers read ``LiveRun.lines`` from any index, so reopening the
page replays the log and continues live. The log is appended to the history as it grows (never rewritten),
and a finished run leaves the registry: its log is then read from the history.

The lock is held by the run's guard process (``guard.py``), which also starts the child: if the server
dies, the guard keeps the lock until the migration has ended and records its outcome, and the next
server to open the history reconciles it (``reconcile.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from psycopg import sql

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.backups import BackupPolicy, prune
from pgadmin_py.migrations.guarded import GuardProcess, app_name, run_files, run_sessions, terminate_sessions
from pgadmin_py.migrations.history import RunHistory
from pgadmin_py.migrations.lockwait import LockWait, explain
from pgadmin_py.migrations.pgtools import (
    Backup,
    BackupError,
    PgTools,
    list_backups,
    restore_command,
    restores_by_script,
    run_backup,
)
from pgadmin_py.migrations.reconcile import reconcile
from pgadmin_py.migrations.runner import RunnerConfig, diagnose, progress_revision
from pgadmin_py.migrations.schema_watch import SchemaWatch
from pgadmin_py.migrations.targeted_backup import targeted_backup

log = logging.getLogger(__name__)
LOCK_KEY = 0x7067_6D69_6772  # "pgmigr": one migration at a time per database, across replicas
SAVE_EVERY_SECONDS = 1.0


class MigrationRunning(AppError):
    status_code = 409
    title = "A migration is running"

    def __init__(self, run_id: int | None) -> None:
        self.run_id = run_id
        where = f" (run #{run_id})" if run_id else " (started from another pgadmin-py or an alembic command)"
        super().__init__(f"Another migration or restore holds the migration lock on this database{where}.",
                         "Wait for it to finish; its page shows the live log." if run_id else
                         "Wait for it to finish, then try again.")


@dataclass
class LiveRun:
    id: int
    lines: list[str] = field(default_factory=list)
    status: str = "running"
    done: threading.Event = field(default_factory=threading.Event)
    rehearsal: bool = False  # runs on a throwaway copy (rehearsal.py): never "the migration running here"

    def since(self, index: int) -> list[str]:
        return self.lines[index:]


@dataclass(frozen=True, slots=True)
class RunJob:
    kind: str  # upgrade | downgrade | stamp | restore
    target: str
    started_by: str
    from_revisions: tuple[str, ...]
    revisions: tuple[str, ...]
    config: RunnerConfig
    backup_tools: PgTools | None = None  # None: no backup
    backup_path: Path | None = None
    proceed_without_backup: bool = False
    restore_source: Path | None = None
    drop_after_restore: tuple[tuple[str, str], ...] = ()  # tables created after the backup was taken
    backup_policy: BackupPolicy | None = None  # None: no pruning after the backup
    schema_watch: SchemaWatch | None = None  # records the schema before and after the run
    backup_tables: tuple[tuple[str | None, str], ...] | None = None  # a targeted backup of these; None: full
    backup_why: str = ""  # why the backup is full when a targeted one was asked for
    restore_list: Path | None = None  # restore only these entries (pg_restore --use-list): a targeted backup
    server_major: int | None = None  # a restore: the server's major version (how pg_restore may talk to it)



def _current_revisions(url: DatabaseUrl, qualified: str) -> tuple[str, ...] | None:
    """The version table's revisions read on a connection of our own (the guard holds the lock)."""
    with direct_connection(url, "migration status") as conn:
        row = conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()
        if not row or not row[0]:
            return None
        query = sql.SQL("select version_num from {} order by 1").format(sql.SQL(qualified))  # quoted by envpy
        return tuple(r[0] for r in conn.execute(query))


def _command(job: RunJob) -> tuple[list[str], dict[str, str]]:
    """What the guard runs for ``job``, and its environment (credentials only there, never in argv)."""
    if job.kind == "restore":
        if job.backup_tools is None or job.restore_source is None:
            return ["false"], dict(os.environ)
        return restore_command(job.backup_tools, job.config.database_url, job.restore_source, job.server_major,
                               use_list=job.restore_list, drop_first=job.drop_after_restore)
    return job.config.run_command(job.kind, job.target), job.config.env()


class RunRegistry:
    """The runs of this server process and the history file; one per app."""

    def __init__(self) -> None:
        self._live: dict[int, LiveRun] = {}
        self._histories: dict[Path, RunHistory] = {}
        self._elsewhere: dict[tuple[Path, int], str] = {}
        self._mutex = threading.Lock()

    def history(self, data_dir: Path, url: DatabaseUrl | None = None,
                current: Callable[[], tuple[str, ...] | None] | None = None) -> RunHistory:
        """The history file under ``data_dir``, its runs left 'running' by another server process reconciled
        with what still lives in the database (:func:`reconcile.reconcile`)."""
        path = data_dir / "migration-runs.sqlite3"
        with self._mutex:
            if path not in self._histories:
                self._histories[path] = RunHistory(path)
            history = self._histories[path]
        if url is not None:
            notes = reconcile(history, url, set(self._live), current)
            with self._mutex:
                for run_id, note in notes.items():
                    self._elsewhere[(history.path, run_id)] = note
        return history

    def elsewhere(self, history: RunHistory, run_id: int) -> str | None:
        """For a run going on outside this process: where it runs ("guard pid …, backend …")."""
        record = history.get(run_id)
        if record is None or record.status != "running" or run_id in self._live:
            return None
        return self._elsewhere.get((history.path, run_id))

    def live(self, run_id: int) -> LiveRun | None:
        return self._live.get(run_id)

    def running_id(self, history: RunHistory) -> int | None:
        for run_id, run in sorted(self._live.items(), reverse=True):
            if run.status == "running" and not run.rehearsal:
                return run_id
        running = [r.id for r in history.recent(20) if r.status == "running" and r.kind != "rehearsal"]
        return running[0] if running else None

    def start(self, job: RunJob, history: RunHistory, on_finish: Callable[[int], None] | None = None) -> int:
        command, env = _command(job)
        guard = GuardProcess.acquire(job.config.database_url, command, env, job.config.project_dir)
        if guard is None:
            raise MigrationRunning(self.running_id(history))
        try:
            run_id = history.create(job.kind, job.target, job.started_by, job.from_revisions, job.revisions)
            guard.assign(run_id, app_name(history.path, run_id), *run_files(history.path.parent, run_id))
        except BaseException:
            guard.release()
            raise
        live = LiveRun(run_id)
        with self._mutex:
            self._live[run_id] = live
        worker = _Worker(job, history, live, guard, on_finish, self._forget)
        threading.Thread(target=worker.run, name=f"migration-run-{run_id}", daemon=True).start()
        return run_id

    def attach(self, live: LiveRun) -> None:
        """Watch a run this registry did not start (a rehearsal): its page and log stream find it here."""
        with self._mutex:
            self._live[live.id] = live

    def detach(self, run_id: int) -> None:
        self._forget(run_id)

    def _forget(self, run_id: int) -> None:
        with self._mutex:
            self._live.pop(run_id, None)

    @property
    def live_count(self) -> int:
        """Runs held in memory: those still going."""
        with self._mutex:
            return len(self._live)


class RunLog:
    """A run's log: lines kept on the live run for its page, appended to the history about once a second (never
    written twice), URLs masked, Alembic's plugin announcements left out. Shared by real runs and rehearsals."""

    def __init__(self, history: RunHistory, live: LiveRun) -> None:
        self.history, self.live = history, live
        self.saved_at = time.monotonic()  # the record exists already; the first log save can wait a second
        self.saved = 0  # lines of the log already in the history

    def say(self, text: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%H:%M:%S")
        self.add(f"[{stamp}] pgadmin-py: {text}")

    def add(self, line: str) -> None:
        line = mask_urls_in(line.rstrip("\n"))
        if "[alembic.runtime.plugins] setup plugin" in line:
            return  # Alembic 1.16+ announces its plugins on every run: noise in a migration log
        self.live.lines.append(line)
        self.seen(line)
        if time.monotonic() - self.saved_at > SAVE_EVERY_SECONDS:
            self.save()

    def seen(self, line: str) -> None:
        """A line just added to the log (a subclass reads progress from it)."""

    def save(self) -> None:
        """Append the lines the history lacks."""
        self.saved_at = time.monotonic()
        lines = self.live.lines[self.saved:]
        self.history.append_log(self.live.id, self.saved, lines)
        self.saved += len(lines)


class _Worker(RunLog):
    def __init__(self, job: RunJob, history: RunHistory, live: LiveRun, guard: GuardProcess,
                 on_finish: Callable[[int], None] | None, forget: Callable[[int], None]) -> None:
        super().__init__(history, live)
        self.job, self.guard, self.on_finish = job, guard, on_finish
        self.forget = forget  # the registry lets go of the finished run (its log is in the history)
        self.begun: list[str] = []
        self.finished: set[str] = set()

    def seen(self, line: str) -> None:
        if (progress := progress_revision(line)) is not None:
            kind, rev = progress
            (self.begun.append(rev) if kind == "begin" else self.finished.add(rev))

    def run(self) -> None:
        status, error, failing = "failed", None, None
        try:
            self._snapshot("before")
            status, error, failing = self._run()
        except Exception as exc:  # noqa: BLE001 - the thread must always record an outcome and release the lock
            error = f"{type(exc).__name__}: {exc}"
            self.say(f"internal error: {error}")
        finally:
            try:
                current = _current_revisions(self.job.config.database_url, self.job.config.version_table)
            except psycopg.Error:
                current = None
            if status == "failed":
                where = ("no revision (no version table)" if current is None
                         else ", ".join(current) if current else "base")
                self.say(f"the database is now at {where}")
            else:
                self.say("finished successfully")
            self._snapshot("after")
            self.save()
            self.history.finish(self.live.id, status, current, None, error, failing)
            self.live.status = status
            self.guard.release()
            self.live.done.set()
            self.forget(self.live.id)
            if self.on_finish:
                self.on_finish(self.live.id)

    def _snapshot(self, phase: str) -> None:
        """Record the schema; a failure to read it is said in the log and never stops the run."""
        if self.job.schema_watch is None:
            return
        try:
            self.job.schema_watch.record(self.live.id, phase)
        except Exception as exc:
            log.warning("schema snapshot %s run %s failed", phase, self.live.id, exc_info=True)
            self.say(f"the schema {phase} the run could not be recorded: {exc}")

    def _take_backup(self, tools: PgTools, path: Path, note: str) -> Backup:
        job = self.job
        if job.backup_why:
            self.say(f"a full backup: {job.backup_why}")
        if job.backup_tables is not None:
            taken = targeted_backup(tools, job.config.database_url, path, job.from_revisions, job.backup_tables,
                                    note)
            if isinstance(taken, Backup):
                return taken
            self.say(f"a full backup instead of a targeted one: {taken}")
        return run_backup(tools, job.config.database_url, path, job.from_revisions, note=note)

    def _backup(self) -> str | None:
        """Take the backup the job asks for; an error message when the run must stop."""
        job = self.job
        if job.backup_tools is None or job.backup_path is None:
            if job.kind != "restore":
                self.say("no backup taken (requested)")
            return None
        what = "safety backup of the current state" if job.kind == "restore" else "backing up"
        self.say(f"{what} with {job.backup_tools.pg_dump} ({job.backup_tools.version}) to {job.backup_path}")
        started = time.monotonic()
        note = f"before restoring {job.target}" if job.kind == "restore" else f"before {job.kind} {job.target}"
        try:
            backup = self._take_backup(job.backup_tools, job.backup_path, note)
        except (BackupError, OSError, subprocess.TimeoutExpired, psycopg.Error) as exc:
            detail = exc.detail if isinstance(exc, BackupError) else str(exc)
            self.say(f"backup failed: {detail}")
            if not job.proceed_without_backup:
                self.say(f"nothing was changed: the {'restore' if job.kind == 'restore' else 'migration'} "
                         "does not run without a backup")
                return f"Backup failed: {detail}"
            self.say("continuing without a backup, as requested")
            return None
        self.history.set_backup(self.live.id, backup.name)
        self.say(f"backup done in {time.monotonic() - started:.1f} s ({backup.size:,} bytes): {backup.name}"
                 + (f"; targeted: every definition + the rows of {', '.join(backup.coverage.table_names) or 'none'}"
                    if backup.coverage is not None else ""))
        if job.backup_policy is not None:
            keep = frozenset({job.restore_source} if job.restore_source is not None else ())
            removed = prune(list_backups(job.backup_path.parent), job.backup_policy, keep)
            if removed:
                self.say(f"pruned {len(removed)} old backup(s) ({job.backup_policy.describe()}): "
                         + ", ".join(b.name for b in removed))
        return None

    def _run(self) -> tuple[str, str | None, str | None]:
        job = self.job
        self.say(f"{job.kind} {job.target}: lock acquired")
        if (stop := self._backup()) is not None:
            return "failed", stop, None
        if job.kind == "restore":
            return self._restore()
        self.say(f"running: {' '.join(job.config.run_command(job.kind, job.target)[-2:])} via {job.config.mode}")
        code = self._stream()
        if code == 0:
            return "succeeded", None, None
        output = "\n".join(self.live.lines)
        error, hint = diagnose(output, job.config)
        waited = explain(output, [LockWait.of(b) for b in self.guard.blockers], job.config.lock_timeout_ms,
                         job.config.database_url)
        if waited is not None:
            self.say(waited)
            error, hint = waited, ("Find out why that session holds the lock (end it with SELECT "
                                   "pg_terminate_backend(pid) if it is stuck), then apply again.")
        if code < 0:
            error = f"The migration process was killed by signal {-code}" + (
                "; its database session was terminated, so nothing more runs" if self.guard.terminated else "")
        failing = next((r for r in reversed(self.begun) if r not in self.finished), None)
        if failing:
            self.say(f"failed in revision {failing}")
        if hint:
            self.say(f"hint: {hint}")
        return "failed", f"{error}" + (f" — {hint}" if hint else ""), failing

    def _restore(self) -> tuple[str, str | None, str | None]:
        job = self.job
        if job.backup_tools is None or job.restore_source is None:
            return "failed", "No pg_restore available for this server.", None
        how = (f"'s script (pg_restore {job.backup_tools.major} sets transaction_timeout, which PostgreSQL "
               f"{job.server_major} lacks), run in one transaction" if restores_by_script(job.backup_tools,
                                                                                         job.server_major) else "")
        self.say(f"restoring {job.restore_source.name} with {job.backup_tools.pg_restore}{how} --clean --if-exists")
        code = self._stream()
        if code != 0:
            return "failed", "pg_restore failed; it ran in one transaction, so nothing was changed.", None
        return "succeeded", None, None

    def _stream(self) -> int:
        """Start the child under the guard and relay its output; its exit code (negative: killed by a signal)."""
        for line in self.guard.run():
            if line.startswith("pgadmin-py: "):
                self.say(line.removeprefix("pgadmin-py: "))
            else:
                self.add(line)
        code = self.guard.exit_code
        if self.guard.terminated:
            self.say(f"terminated {self.guard.terminated} database session(s) the process left behind")
        if code is None:
            self.say("the guard process ended before the migration did: stopping the migration")
            if self.guard.child_pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    # Windows has no SIGKILL: its os.kill(pid, SIGTERM) is TerminateProcess, as final
                    os.kill(self.guard.child_pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            app = app_name(self.history.path, self.live.id)
            with contextlib.suppress(psycopg.Error):
                pids = run_sessions(self.job.config.database_url, app).get(app, [])
                if pids and terminate_sessions(self.job.config.database_url, pids):
                    self.say(f"terminated {len(pids)} database session(s) left without the lock")
            return 1
        self.say(f"process exited with code {code}")
        return code
