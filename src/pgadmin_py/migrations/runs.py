"""Runs: lock, back up, start the child, fan its output out, record the outcome.

A run is started synchronously up to taking the PostgreSQL advisory lock (so a second request is
refused at once, whichever replica it reaches), then continues in a background thread: closing the
browser tab only stops *watching*. Watchers read ``LiveRun.lines`` from any index, so reopening the
page replays the log and continues live.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in
from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.history import RunHistory
from pgadmin_py.migrations.pgtools import BackupError, PgTools, restore_command, run_backup
from pgadmin_py.migrations.runner import RunnerConfig, diagnose, progress_revision

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


class AdvisoryLock:
    """A session-level ``pg_advisory_lock`` on a dedicated connection, held until :meth:`release`."""

    def __init__(self, url: DatabaseUrl) -> None:
        self.conn = psycopg.connect(url.libpq(), autocommit=True, application_name="pgadmin-py migration lock")

    def try_acquire(self) -> bool:
        row = self.conn.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        return bool(row and row[0])

    def current_revisions(self, qualified: str = "alembic_version") -> tuple[str, ...] | None:
        row = self.conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()
        if not row or not row[0]:
            return None
        query = sql.SQL("select version_num from {} order by 1").format(sql.SQL(qualified))  # quoted by envpy
        return tuple(r[0] for r in self.conn.execute(query))

    def release(self) -> None:
        try:
            self.conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
        finally:
            self.conn.close()


class RunRegistry:
    """The runs of this server process and the history file; one per app."""

    def __init__(self) -> None:
        self._live: dict[int, LiveRun] = {}
        self._histories: dict[Path, RunHistory] = {}
        self._mutex = threading.Lock()

    def history(self, data_dir: Path, nobody_running: Callable[[], bool] | None = None) -> RunHistory:
        """The history file under ``data_dir``. On first open, runs left 'running' by a previous process are
        marked interrupted, but only when ``nobody_running()`` says no replica holds the migration lock."""
        path = data_dir / "migration-runs.sqlite3"
        with self._mutex:
            if path not in self._histories:
                history = RunHistory(path)
                if nobody_running is not None and nobody_running():
                    history.interrupt_stale(set(self._live))
                self._histories[path] = history
            return self._histories[path]

    def live(self, run_id: int) -> LiveRun | None:
        return self._live.get(run_id)

    def running_id(self, history: RunHistory) -> int | None:
        for run_id, run in sorted(self._live.items(), reverse=True):
            if run.status == "running":
                return run_id
        running = [r.id for r in history.recent(20) if r.status == "running"]
        return running[0] if running else None

    def start(self, job: RunJob, history: RunHistory, on_finish: Callable[[int], None] | None = None) -> int:
        lock = AdvisoryLock(job.config.database_url)
        try:
            acquired = lock.try_acquire()
        except BaseException:
            lock.conn.close()
            raise
        if not acquired:
            lock.conn.close()
            raise MigrationRunning(self.running_id(history))
        run_id = history.create(job.kind, job.target, job.started_by, job.from_revisions, job.revisions)
        live = LiveRun(run_id)
        self._live[run_id] = live
        worker = _Worker(job, history, live, lock, on_finish)
        threading.Thread(target=worker.run, name=f"migration-run-{run_id}", daemon=True).start()
        return run_id


class _Worker:
    def __init__(self, job: RunJob, history: RunHistory, live: LiveRun, lock: AdvisoryLock,
                 on_finish: Callable[[int], None] | None) -> None:
        self.job, self.history, self.live, self.lock, self.on_finish = job, history, live, lock, on_finish
        self.saved_at = time.monotonic()  # the record exists already; the first log save can wait a second
        self.begun: list[str] = []
        self.finished: set[str] = set()

    def say(self, text: str) -> None:
        stamp = datetime.now(UTC).strftime("%H:%M:%S")
        self.add(f"[{stamp}] pgadmin-py: {text}")

    def add(self, line: str) -> None:
        line = mask_urls_in(line.rstrip("\n"))
        if "[alembic.runtime.plugins] setup plugin" in line:
            return  # Alembic 1.16+ announces its plugins on every run: noise in a migration log
        self.live.lines.append(line)
        if (progress := progress_revision(line)) is not None:
            kind, rev = progress
            (self.begun.append(rev) if kind == "begin" else self.finished.add(rev))
        if time.monotonic() - self.saved_at > SAVE_EVERY_SECONDS:
            self.saved_at = time.monotonic()
            self.history.save_log(self.live.id, "\n".join(self.live.lines))

    def run(self) -> None:
        status, error, failing = "failed", None, None
        try:
            status, error, failing = self._run()
        except Exception as exc:  # noqa: BLE001 - the thread must always record an outcome and release the lock
            error = f"{type(exc).__name__}: {exc}"
            self.say(f"internal error: {error}")
        finally:
            try:
                current = self.lock.current_revisions(self.job.config.version_table)
            except psycopg.Error:
                current = None
            if status == "failed":
                where = ("no revision (no version table)" if current is None
                         else ", ".join(current) if current else "base")
                self.say(f"the database is now at {where}")
            else:
                self.say("finished successfully")
            self.history.finish(self.live.id, status, current, "\n".join(self.live.lines), error, failing)
            self.live.status = status
            with contextlib.suppress(psycopg.Error):
                self.lock.release()
            self.live.done.set()
            if self.on_finish:
                self.on_finish(self.live.id)

    def _run(self) -> tuple[str, str | None, str | None]:
        job = self.job
        self.say(f"{job.kind} {job.target}: lock acquired")
        if job.backup_tools is not None and job.backup_path is not None:
            self.say(f"backing up with {job.backup_tools.pg_dump} ({job.backup_tools.version}) to {job.backup_path}")
            started = time.monotonic()
            try:
                backup = run_backup(job.backup_tools, job.config.database_url, job.backup_path, job.from_revisions)
            except (BackupError, OSError, subprocess.TimeoutExpired) as exc:
                detail = exc.detail if isinstance(exc, BackupError) else str(exc)
                self.say(f"backup failed: {detail}")
                if not job.proceed_without_backup:
                    self.say("nothing was changed: the migration does not run without a backup")
                    return "failed", f"Backup failed: {detail}", None
                self.say("continuing without a backup, as requested")
            else:
                self.history.set_backup(self.live.id, backup.name)
                self.say(f"backup done in {time.monotonic() - started:.1f} s ({backup.size:,} bytes)")
        elif job.kind != "restore":
            self.say("no backup taken (requested)")
        if job.kind == "restore":
            return self._restore()
        command = job.config.run_command(job.kind, job.target)
        self.say(f"running: {' '.join(command[-2:])} via {job.config.mode}")
        code = self._stream(command)
        if code == 0:
            return "succeeded", None, None
        output = "\n".join(self.live.lines)
        error, hint = diagnose(output, job.config)
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
        command, env = restore_command(job.backup_tools, job.config.database_url, job.restore_source)
        self.say(f"restoring {job.restore_source.name} with {job.backup_tools.pg_restore} --clean --if-exists")
        code = self._stream(command, env)
        if code != 0:
            return "failed", "pg_restore failed; it ran in one transaction, so nothing was changed.", None
        for schema, table in job.drop_after_restore:
            self.say(f"dropping {schema}.{table}: it was created after the backup was taken")
            self.lock.conn.execute(sql.SQL("drop table if exists {}.{} cascade").format(
                sql.Identifier(schema), sql.Identifier(table)))
        return "succeeded", None, None

    def _stream(self, command: list[str], env: dict[str, str] | None = None) -> int:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       bufsize=1, cwd=self.job.config.project_dir,
                                       env=env or self.job.config.env(), start_new_session=True)
        except OSError as exc:
            self.say(f"cannot start {command[0]}: {exc.strerror}")
            return 127
        assert process.stdout is not None
        for line in process.stdout:
            self.add(line)
        code = process.wait()
        self.say(f"process exited with code {code}")
        return code
