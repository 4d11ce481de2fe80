"""Rehearsal: the pending revisions applied to a throwaway copy of the database by the real runner, timed
per revision and per statement, then the copy dropped (always: on success, failure, cancel, shutdown).

The copy is made by :mod:`scratch` on the same server. The runner is the one Apply uses (the guard process
and the project's own interpreter), pointed at the copy through the environment; the child refuses any
connection to another database before using it, so an env.py that ignores the URL it is given fails the
rehearsal instead of migrating the real database. A rehearsal is a run of kind ``rehearsal`` in the history
(its log streams like any run's); its structured result (how the copy was made, the time per revision and
statement, the statement it failed on) is kept next to the run's files as JSON.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.guarded import GuardProcess, app_name, run_files
from pgadmin_py.migrations.history import RunHistory
from pgadmin_py.migrations.runner import RunnerConfig, diagnose, progress_revision
from pgadmin_py.migrations.runs import LiveRun, RunLog
from pgadmin_py.migrations.scratch import (
    CopyOptions,
    Sampled,
    ScratchCopy,
    clean_leftovers,
    create_problem,
    drop_copy,
    make_copy,
)
from pgadmin_py.migrations.service import MigrationsService
from pgadmin_py.migrations.timings import RevisionTime, Statement, read_timings
from pgadmin_py.migrations.views import Plan

log = logging.getLogger(__name__)
KIND = "rehearsal"
REHEARSAL_ENV = "PGADMIN_PY_REHEARSAL_DB"  # = rehearsal_site/sitecustomize.ENV: the copy, the only database allowed
SITE_DIR = Path(__file__).resolve().parent / "rehearsal_site"  # first on the rehearsal's PYTHONPATH
SAVE_EVERY_SECONDS = 1.0


class RehearsalRefused(AppError):
    status_code = 409
    title = "Cannot rehearse"


@dataclass(frozen=True, slots=True)
class Rehearsal:
    """One rehearsal's result, as the plan and the run page show it."""

    run_id: int
    action: str
    target: str
    from_revisions: tuple[str, ...]
    revisions: tuple[str, ...]
    scripts_hash: str
    status: str  # running | succeeded | failed | interrupted
    started_at: str
    copy: str = ""  # how the copy was made, in words
    sampled: tuple[Sampled, ...] = ()
    trimmed: tuple[tuple[str, str, int], ...] = ()
    times: tuple[RevisionTime, ...] = ()
    failed_statement: Statement | None = None
    error: str | None = None
    failing_revision: str | None = None
    copy_seconds: float = 0.0
    run_seconds: float = 0.0
    drop_seconds: float = 0.0
    dropped: bool = False
    stale: bool = False  # set when shown for a plan whose scripts changed since

    @property
    def passed(self) -> bool:
        return self.status == "succeeded"

    @property
    def total_seconds(self) -> float:
        return self.copy_seconds + self.run_seconds + self.drop_seconds


@dataclass(frozen=True, slots=True)
class RehearsalPanel:
    """What the plan shows about rehearsing it: the latest rehearsal, and why it cannot be rehearsed (if so)."""

    latest: Rehearsal | None
    problem: str | None


def _to_json(result: Rehearsal) -> str:
    return json.dumps(dataclasses.asdict(result))


def _from_json(text: str) -> Rehearsal:
    data: dict[str, Any] = json.loads(text)
    data["from_revisions"], data["revisions"] = tuple(data["from_revisions"]), tuple(data["revisions"])
    data["sampled"] = tuple(Sampled(**s) for s in data.get("sampled", ()))
    data["trimmed"] = tuple(tuple(t) for t in data.get("trimmed", ()))
    data["times"] = tuple(RevisionTime(t["revision"], t["ms"], tuple(Statement(**s) for s in t["statements"]))
                          for t in data.get("times", ()))
    failed = data.get("failed_statement")
    data["failed_statement"] = Statement(**failed) if failed else None
    return Rehearsal(**data)


def result_path(history: RunHistory, run_id: int) -> Path:
    return history.path.parent / "runs" / f"{int(run_id)}.rehearsal.json"


def _copy_revisions(url: DatabaseUrl, qualified: str) -> tuple[str, ...] | None:
    with direct_connection(url, "rehearsal") as conn:
        row = conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()
        if not row or not row[0]:
            return None
        return tuple(r[0] for r in conn.execute(sql.SQL("select version_num from {} order by 1").format(
            sql.SQL(qualified))))  # quoted by envpy


class Rehearsals:
    """One per app (``create_app``): starts rehearsals, one at a time, and finds their results."""

    def __init__(self, migrations: MigrationsService) -> None:
        self.migrations = migrations
        self._mutex = threading.Lock()
        self._active: dict[int, _Worker] = {}
        self._may_create: BoundedCache[str, tuple[str | None]] = BoundedCache(1, max_age=60)  # CREATEDB, per minute

    @property
    def _url(self) -> DatabaseUrl:
        assert self.migrations.settings.database_url is not None
        return self.migrations.settings.database_url

    def options(self) -> CopyOptions:
        settings = self.migrations.settings
        return CopyOptions(settings.rehearsal_sample_above_mb * 1024 * 1024, settings.rehearsal_sample_rows,
                           settings.data_dir / "scratch")

    def problem(self, plan: Plan) -> str | None:
        """Why this plan cannot be rehearsed, in words (None: it can)."""
        if self.migrations.settings.read_only:
            return "READ_ONLY=1: a rehearsal creates a scratch database on the server."
        if plan.action != "upgrade":
            return "A rehearsal applies pending revisions: it is offered for upgrades."
        if not plan.revisions:
            return "There is nothing to rehearse: no revision would run."
        if plan.blocked:
            return plan.blocked
        command = plan.runner.run_command("upgrade", "head")
        if plan.runner.migrate_command and command[0] != plan.runner.python.path:
            return (f"MIGRATE_COMMAND ({plan.runner.migrate_command}) does not start with python: a rehearsal "
                    "points the project's DATABASE_URL at the copy and makes the project's Python refuse any other "
                    "database before using it, which it can only do for a Python process it starts. Use a "
                    "`python ...` command that reads the database URL from the environment, or unset "
                    "MIGRATE_COMMAND.")
        return None

    def start(self, action: str, target: str, started_by: str) -> int:
        plan = self.migrations.plan(action, target, with_sql=False)
        if (why := self.problem(plan)) is not None:
            raise RehearsalRefused(why, None)
        if (why := create_problem(self._url)) is not None:
            raise RehearsalRefused(why, None)
        with self._mutex:
            if self._active:
                running = next(iter(self._active))
                raise RehearsalRefused(f"Rehearsal #{running} is still running.", "Wait for it to finish.")
            history = self.migrations.history
            ids = tuple(r.id for r in plan.revisions)
            run_id = history.create(KIND, plan.target, started_by, plan.current, ids)
            live = LiveRun(run_id, rehearsal=True)
            self.migrations.registry.attach(live)
            result = Rehearsal(run_id, plan.action, plan.target, plan.current, ids, plan.scripts_hash, "running",
                               datetime.now(timezone.utc).isoformat())
            worker = _Worker(self, history, live, plan.runner, result)
            self._active[run_id] = worker
        worker.write(result)
        threading.Thread(target=worker.run, name=f"rehearsal-{run_id}", daemon=True).start()
        return run_id

    def cancel(self, run_id: int) -> bool:
        with self._mutex:
            worker = self._active.get(run_id)
        if worker is None:
            return False
        worker.cancel()
        return True

    def _done(self, run_id: int) -> None:
        with self._mutex:
            self._active.pop(run_id, None)
        self.migrations.registry.detach(run_id)

    def active_copies(self) -> set[str]:
        with self._mutex:
            return {w.copy.name for w in self._active.values() if w.copy is not None}

    def clean_leftovers(self) -> list[str]:
        """Drop the scratch databases a crash left behind (run at start and before each rehearsal)."""
        dropped = clean_leftovers(self._url, self.active_copies())
        for name in dropped:
            log.info("dropped %s, a rehearsal's copy left behind by an earlier run", name)
        return dropped

    def result(self, run_id: int) -> Rehearsal | None:
        try:
            return _from_json(result_path(self.migrations.history, run_id).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def for_plan(self, plan: Plan) -> Rehearsal | None:
        """The latest rehearsal of this plan (same starting revisions and revisions), marked stale when the
        scripts changed since."""
        ids = tuple(r.id for r in plan.revisions)
        for record in self.migrations.history.recent(100):
            if record.kind == KIND and record.from_revisions == plan.current and record.revisions == ids:
                found = self.result(record.id)
                if found is not None:
                    status = record.status if found.status == "running" else found.status
                    return dataclasses.replace(found, status=status, stale=found.scripts_hash != plan.scripts_hash)
        return None

    def panel(self, plan: Plan) -> RehearsalPanel:
        problem = self.problem(plan)
        if problem is None:
            try:
                problem = self._may_create.get_or_build("role", lambda: (create_problem(self._url),))[0]
            except psycopg.Error as exc:
                problem = f"Whether this role may create the copy could not be checked: {exc}"
        return RehearsalPanel(self.for_plan(plan), problem)

    def shutdown(self) -> None:
        """App shutdown: stop every rehearsal and drop its copy."""
        with self._mutex:
            workers = list(self._active.values())
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.finished.wait(30)


class _Worker(RunLog):
    def __init__(self, owner: Rehearsals, history: RunHistory, live: LiveRun, runner: RunnerConfig,
                 result: Rehearsal) -> None:
        super().__init__(history, live)
        self.owner, self.runner, self.result = owner, runner, result
        self.copy: ScratchCopy | None = None
        self.guard: GuardProcess | None = None
        self.cancelled = threading.Event()
        self.finished = threading.Event()

    def write(self, result: Rehearsal) -> None:
        path = result_path(self.history, result.run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(_to_json(result), encoding="utf-8")
        partial.replace(path)

    def cancel(self) -> None:
        self.cancelled.set()
        guard = self.guard
        if guard is not None and guard.child_pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(guard.child_pid, getattr(signal, "SIGKILL", signal.SIGTERM))

    def run(self) -> None:
        result = self.result
        url = self.owner._url
        status, error, failing, at = "failed", None, None, None
        started = time.monotonic()
        try:
            self.say(f"rehearsal of {result.action} {result.target}: on a throwaway copy of the database; "
                     "the real database is only read")
            for name in self.owner.clean_leftovers():
                self.say(f"dropped {name}, a copy an earlier rehearsal left behind")
            self.copy = make_copy(url, self.owner.migrations.tools().tools, self.owner.options(), self.say,
                                  self.owner.migrations.engine.dispose)
            result = dataclasses.replace(result, copy=self.copy.words, sampled=self.copy.sampled,
                                         trimmed=self.copy.trimmed, copy_seconds=time.monotonic() - started)
            self.say(f"copy {self.copy.name} made in {result.copy_seconds:.2f} s with {self.copy.words}")
            if self.copy.warnings:
                self.say(f"pg_restore reported: {self.copy.warnings[-600:]}")
            if self.cancelled.is_set():
                raise RehearsalRefused("The rehearsal was cancelled.", None)
            status, error, failing, at = self._apply(self.copy)
            result = dataclasses.replace(result, run_seconds=time.monotonic() - started - result.copy_seconds)
        except Exception as exc:  # noqa: BLE001 - the thread must always record an outcome and drop the copy
            error = exc.detail if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
            self.say(f"rehearsal stopped: {error}")
        finally:
            dropped_at = time.monotonic()
            dropped = self._drop(url)
            timings = read_timings(self.live.lines, finished=status == "succeeded")
            failing = failing or next((t.revision for t in timings.revisions if t.ms is None), None)
            result = dataclasses.replace(result, status=status, times=timings.revisions,
                                         failed_statement=timings.failed_statement, error=error,
                                         failing_revision=failing, drop_seconds=time.monotonic() - dropped_at,
                                         dropped=dropped)
            self.say("rehearsal passed" if status == "succeeded" else "rehearsal failed")
            self.save()
            self.write(result)
            self.history.finish(self.live.id, status, at, None, error, failing)
            self.live.status = status
            self.live.done.set()
            self.finished.set()
            self.owner._done(self.live.id)

    def _drop(self, url: DatabaseUrl) -> bool:
        if self.copy is None:
            return True
        try:
            drop_copy(url, self.copy.name)
        except psycopg.Error as exc:
            self.say(f"the copy {self.copy.name} could not be dropped ({exc}); it is dropped on the next start")
            return False
        self.say(f"copy {self.copy.name} dropped")
        return True

    def _apply(self, copy: ScratchCopy) -> tuple[str, str | None, str | None, tuple[str, ...] | None]:
        config = dataclasses.replace(self.runner, database_url=copy.url)
        command = config.run_command(self.result.action, self.result.target)
        env = config.env()
        path = os.pathsep.join(p for p in (str(SITE_DIR), env.get("PYTHONPATH", "")) if p)
        env = {**env, REHEARSAL_ENV: copy.name, "PYTHONPATH": path}
        self.guard = GuardProcess.acquire(copy.url, command, env, config.project_dir)
        if self.guard is None:
            return "failed", "The copy's migration lock was taken by another session.", None, None
        begun: list[str] = []
        finished: set[str] = set()
        try:
            self.guard.assign(self.live.id, app_name(self.history.path, self.live.id),
                              *run_files(self.history.path.parent, self.live.id))
            self.say(f"running: {' '.join(command[-2:])} via {config.mode}, on the copy")
            for line in self.guard.run():
                if line.startswith("pgadmin-py: "):
                    self.say(line.removeprefix("pgadmin-py: "))
                    continue
                self.add(line)
                if (progress := progress_revision(line)) is not None:
                    (begun.append(progress[1]) if progress[0] == "begin" else finished.add(progress[1]))
            code = self.guard.exit_code
        finally:
            self.guard.release()
        at = _copy_revisions(copy.url, config.version_table)
        if self.cancelled.is_set():
            return "failed", "The rehearsal was cancelled.", None, at
        if code == 0:
            return "succeeded", None, None, at
        error, hint = diagnose("\n".join(self.live.lines), config)
        failing = next((r for r in reversed(begun) if r not in finished), None)
        return "failed", f"{error}" + (f" — {hint}" if hint else ""), failing, at
