"""The project's models as facts, kept fresh: probed once at start (in the background) and again when the
project's Python files change.

One :class:`ProjectModels` per app (built by ``create_app``). Pages ask :meth:`ProjectModels.facts`, which
never blocks on a probe that is still running: it answers with ``pending=True`` facts instead, and the
startup report waits a bounded time for the first answer.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.interpreter import find_project_python
from pgadmin_py.core.processes import ChildProcesses
from pgadmin_py.core.settings import Settings
from pgadmin_py.orm.introspect import ModelCatalog
from pgadmin_py.orm.probe import (
    DRIFT_TIMEOUT_SECONDS,
    MODELS_TIMEOUT_SECONDS,
    DriftFacts,
    ImportProblem,
    ProbeCommand,
    ProbeFailed,
    RenderedMigration,
    catalog_of,
    drift_from_json,
    flask_migrate_layout,
    launch,
)

SKIP_DIRS = frozenset({".git", ".hg", ".venv", "venv", "env", ".env", ".tox", ".nox", "node_modules", "__pycache__",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", "build", "dist", ".pgadmin-py"})
MAX_WATCHED_FILES = 5000
RECHECK_SECONDS = 2.0
FIRST_PROBE_WAIT_SECONDS = 20.0


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What the probe reported: the catalog of models, or the problem that prevented reading it."""

    spec: str | None  # SQLALCHEMY_BASE, or where the models came from ("target_metadata of env.py")
    catalog: ModelCatalog
    problem: ImportProblem | None = None
    notes: tuple[str, ...] = ()
    python: str = ""  # the interpreter that read them, and why it was chosen
    files: tuple[str, ...] = field(default=(), repr=False)
    pending: bool = False  # the first probe has not answered yet
    generation: int = 0  # increases each time the facts are read again

    @property
    def model_count(self) -> int:
        return self.catalog.class_count

    @property
    def table_count(self) -> int:
        return len({m.table for m in self.catalog.models})

    @property
    def loaded(self) -> bool:
        """Models were read (possibly none): what "a MetaData is loaded" used to mean."""
        return self.spec is not None and self.problem is None and not self.pending

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any], python: str, generation: int) -> ModelFacts:
        problem = ImportProblem.from_json(answer["problem"]) if answer.get("problem") else None
        source = answer.get("source")
        catalog = ModelCatalog((), None) if problem is not None else catalog_of(answer)
        spec = problem.spec if problem is not None and source is None else (str(source) if source else None)
        return cls(spec, catalog, problem, tuple(str(n) for n in answer.get("notes") or ()), python,
                   tuple(str(f) for f in answer.get("files") or ()), generation=generation)


def project_env(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The user's environment as it is (PYTHONPATH untouched), the database URL added, no bytecode written into
    the project (it may be mounted read-only)."""
    env = dict(os.environ if base is None else base)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    if settings.database_url is not None:
        env["DATABASE_URL"] = settings.database_url.libpq()
    return env


def probe_command(settings: Settings, env: Mapping[str, str] | None = None) -> tuple[ProbeCommand, str]:
    """The probe's command line for these settings, and the interpreter line for the pages."""
    chosen = find_project_python(settings.alembic_python, settings.project_dir)
    ini = settings.alembic_config
    flask = flask_migrate_layout(ini, settings.alembic_section)
    command = ProbeCommand(chosen.path, settings.project_dir, project_env(settings, env), ini=ini,
                           section=settings.alembic_section, base=settings.sqlalchemy_base,
                           models=tuple(settings.sqlalchemy_models), flask=flask)
    return command, f"{chosen.path} ({chosen.reason})"


def _watched(project_dir: Path, extra: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """(path, mtime) of the project's .py files (virtualenvs and caches skipped) and of the files the probe
    reported importing: when one changes, the models are read again."""
    found: dict[str, float] = {}
    for root, dirs, files in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if name.endswith((".py", ".ini")):
                path = str(Path(root) / name)
                try:
                    found[path] = Path(path).stat().st_mtime
                except OSError:
                    continue
                if len(found) >= MAX_WATCHED_FILES:
                    return tuple(sorted(found.items()))
    for path in extra:
        if path not in found:
            try:
                found[path] = Path(path).stat().st_mtime
            except OSError:
                found[path] = 0.0
    return tuple(sorted(found.items()))


class ProjectModels:
    """The models of the user's project, read by the probe in the project's interpreter."""

    def __init__(self, command: ProbeCommand, python_line: str, *,
                 runner: Callable[..., dict[str, Any]] = launch) -> None:
        self.command = command
        self.python_line = python_line
        self._launch = runner
        self._lock = threading.Lock()
        self._facts = ModelFacts(command.base, ModelCatalog((), None), pending=True, python=python_line)
        self._key: tuple[tuple[str, float], ...] | None = None
        self._checked = 0.0
        self._running: threading.Thread | None = None
        self._done = threading.Event()
        self._generation = 0
        self._drifts: BoundedCache[Hashable, DriftFacts] = BoundedCache(8)
        self._drift_lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings, children: ChildProcesses | None = None) -> ProjectModels:
        """The models of the configured project; probes start through ``children`` (the app's) when given."""
        command, line = probe_command(settings)
        return cls(command, line, runner=launch if children is None else partial(launch, children=children))

    @classmethod
    def fixed(cls, facts: ModelFacts) -> ProjectModels:
        """Facts known in advance (tests, and a project without models): never probed."""
        models = cls(ProbeCommand("", Path.cwd(), {}), facts.python)
        models._facts = facts
        models._done.set()
        models._checked = float("inf")
        return models

    # -- the models ------------------------------------------------------------------------------------
    def stop(self, timeout: float = 5.0) -> None:
        """Wait (bounded) for a probe in flight to end: its child is stopped with the app's children."""
        running = self._running
        if running is not None:
            running.join(timeout)

    def start(self) -> None:
        """Probe in the background (app start); :meth:`facts` answers ``pending`` until it is done."""
        self._refresh(force=True)

    def begin(self) -> None:
        """:meth:`start`, unless a probe runs or has answered already."""
        if self._running is None and self._facts.pending:
            self.start()

    def facts(self) -> ModelFacts:
        """The latest facts. Until the first probe answered, waits up to ``FIRST_PROBE_WAIT_SECONDS`` for it (the
        CLI waits for it before serving, so this only covers a slow start), then answers ``pending``."""
        self._refresh(force=False)
        if self._facts.pending and self._running is not None:
            self._done.wait(FIRST_PROBE_WAIT_SECONDS)
        with self._lock:
            return self._facts

    def wait(self, timeout: float) -> ModelFacts:
        """The facts once the running probe answered, or ``pending`` facts after ``timeout`` seconds."""
        self.begin()
        self._done.wait(timeout)
        with self._lock:
            return self._facts

    def _refresh(self, *, force: bool) -> None:
        now = time.monotonic()
        with self._lock:
            if not force and (now - self._checked < RECHECK_SECONDS or self._running is not None):
                return
            self._checked = now
        if not self.command.python:
            return
        key = _watched(self.command.cwd, self._facts.files)
        with self._lock:
            if (not force and key == self._key) or self._running is not None:
                return
            self._key = key
            self._done.clear()
            self._running = threading.Thread(target=self._probe, name="models-probe", daemon=True)
            self._running.start()

    def _probe(self) -> None:
        try:
            answer = self._launch(self.command.python, self.command.cwd, self.command.env,
                                  self.command.argv("models")[1:], timeout=MODELS_TIMEOUT_SECONDS)
            facts = ModelFacts.from_answer(answer, self.python_line, self._generation + 1)
        except ProbeFailed as failed:
            facts = ModelFacts(self.command.base, ModelCatalog((), None), failed.problem, python=self.python_line,
                               generation=self._generation + 1)
        except Exception as exc:  # noqa: BLE001 - a probe thread must never die silently
            facts = ModelFacts(self.command.base, ModelCatalog((), None), ImportProblem(
                "models probe", f"{type(exc).__name__}: {exc}", "This is a bug in pgadmin-py.", "", ()),
                python=self.python_line, generation=self._generation + 1)
        with self._lock:
            self._generation = facts.generation
            self._facts = facts
            self._running = None
            if facts.files:  # watch the imported files too: the key is taken again on the next check
                self._key = _watched(self.command.cwd, facts.files)
            self._done.set()

    # -- the database against the models -----------------------------------------------------------------
    def _online(self, action: str) -> dict[str, Any]:
        return self._launch(self.command.python, self.command.cwd, self.command.env,
                            self.command.argv(action)[1:], timeout=DRIFT_TIMEOUT_SECONDS)

    def drift(self, key: Hashable = None) -> DriftFacts:
        """The differences autogenerate finds (``compare_metadata`` in env.py's online context, rolled back).

        ``key`` names the database's state (its catalog fingerprint): the answer is kept for that key and
        these models, so the pages that show drift do not start a process on every visit.
        """
        if not self.command.python:
            return DriftFacts((), None)
        cache_key = (key, self._facts.generation) if key is not None else None
        with self._drift_lock:  # one comparison at a time: two pages asking at once share its answer
            cached = self._drifts.get(cache_key) if cache_key is not None else None
            if cached is not None:
                return cached
            try:
                found = drift_from_json(self._online("drift"))
            except ProbeFailed as failed:
                found = DriftFacts((), f"{failed.problem.summary}. {failed.problem.hint}")
            if cache_key is not None:
                self._drifts.put(cache_key, found)
            return found

    def render_migration(self) -> RenderedMigration:
        """``upgrade()`` / ``downgrade()`` bodies as ``alembic revision --autogenerate`` would render them."""
        answer = self._online("autogenerate")
        if answer.get("problem"):
            raise ProbeFailed(ImportProblem.from_json(answer["problem"]))
        if answer.get("error"):
            raise ProbeFailed(ImportProblem("models", str(answer["error"]), "Check target_metadata in env.py.",
                                            "", ()))
        return RenderedMigration(str(answer.get("upgrade") or ""), str(answer.get("downgrade") or ""))
