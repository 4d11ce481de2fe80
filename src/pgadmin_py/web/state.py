"""The composition root: every app-lifetime service, built once by ``create_app`` and injected into handlers.

:func:`build_state` only builds (no constructor here touches the database or starts a thread);
:meth:`AppState.start` starts the background work (the models probe) when the app starts, and
:meth:`AppState.stop` ends every worker thread and child process when it stops. Handlers receive the
services through Litestar's dependency injection (:func:`dependencies`): ``browser: BrowserDep`` and so on.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from litestar.di import NamedDependency, Provide
from sqlalchemy import Engine

from pgadmin_py import __version__
from pgadmin_py.browser.service import Browser
from pgadmin_py.console.service import Console
from pgadmin_py.core.interpreter import find_project_python
from pgadmin_py.core.processes import ChildProcesses
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.engine import create_db_engine
from pgadmin_py.db.monitor import DatabaseMonitor
from pgadmin_py.diagram.service import DiagramService
from pgadmin_py.migrations.rehearsal import Rehearsals
from pgadmin_py.migrations.revfiles import RevisionFiles
from pgadmin_py.migrations.runs import RunRegistry
from pgadmin_py.migrations.service import MigrationsService
from pgadmin_py.models.service import ModelsService
from pgadmin_py.orm.models import ProjectModels
from pgadmin_py.records import Records
from pgadmin_py.web.render import AppInfo, Renderer, build_environment
from pgadmin_py.web.resources import resource_dir
from pgadmin_py.web.security import access_token_for
from pgadmin_py.web.sessions import REVOKED_FILE, Sessions
from pgadmin_py.web.throttle import LoginThrottle

log = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    monitor: DatabaseMonitor
    models: ProjectModels  # the project's models as facts, read by the probe in the project's interpreter
    renderer: Renderer
    access_token: str | None  # the password or generated token; None when auth is off
    cookie_secret: str
    browser: Browser  # the data browser service (it caches table descriptions for a few seconds)
    records: Records  # create / edit / delete of rows (it keeps the generated form classes)
    migrations: MigrationsService  # its probe cache, SQL previews' pool and run registry live with the app
    rehearsals: Rehearsals  # rehearsals on throwaway copies (stopped, their copies dropped, on shutdown)
    revision_files: RevisionFiles  # revisions' authors (git history, cached) and their files' source
    console: Console  # the SQL console (runs in flight, the last results, history and saved queries)
    diagram: DiagramService  # the ER diagram, cached by catalog fingerprint
    models_pages: ModelsService  # the models pages and the diagram's drift marks (owns the drift worker)
    children: ChildProcesses  # the probes' and previews' child processes, ended on shutdown
    sessions: Sessions | None  # login sessions (revoked on logout); None when auth is off
    throttle: LoginThrottle  # the limit on failed logins

    def start(self) -> None:
        """App startup: read the models in the background unless that began already (the CLI waits for them);
        drop the scratch databases a crashed rehearsal left behind (in the background: the database may be
        down)."""
        self.models.begin()
        if not self.settings.read_only:
            threading.Thread(target=self._clean_scratch, name="rehearsal-cleanup", daemon=True).start()

    def _clean_scratch(self) -> None:
        try:
            self.rehearsals.clean_leftovers()
        except Exception:  # noqa: BLE001 - unreachable now: the next rehearsal cleans up first
            log.info("the rehearsals' leftover copies were not looked for: the database is not reachable")

    def stop(self) -> None:
        """App shutdown: no thread pool, thread or child process of ours outlives it."""
        self.models_pages.shutdown()
        self.rehearsals.shutdown()
        self.migrations.shutdown()
        self.children.stop()
        self.models.stop()
        self.engine.dispose()


def build_state(settings: Settings, *, access_token: str | None = None, models: ProjectModels | None = None,
                cookie_secret: str | None = None, strict_blocks: bool = False) -> AppState:
    """Every service of the app, built once. ``access_token`` and ``cookie_secret`` are passed in when the CLI
    made them already (it printed the token, or the credentials page issued a login with them); ``models``
    when the caller (a test) has them already; ``strict_blocks`` (tests) makes an htmx target that names no
    block of its template an error."""
    if settings.database_url is None:
        raise ValueError("create_app needs a database URL; the CLI starts the embedded server first")
    engine = create_db_engine(settings.database_url, read_only=settings.read_only,
                              statement_timeout_ms=settings.statement_timeout_ms)
    children = ChildProcesses()
    project_models = models if models is not None else ProjectModels.for_settings(settings, children)
    token = access_token if access_token is not None else access_token_for(settings)
    info = AppInfo(version=__version__, read_only=settings.read_only, auth_enabled=token is not None,
                   database_label=settings.database_url.label(),
                   project_name="demo" if settings.demo else settings.project_dir.name)
    cookie_secret = cookie_secret or settings.secret_key or secrets.token_hex(32)
    renderer = Renderer(build_environment(resource_dir("templates")), info, flash_secret=cookie_secret,
                        strict_blocks=strict_blocks)
    migrations = MigrationsService(settings, engine, RunRegistry(), project_models,
                                   python=find_project_python(settings.alembic_python, settings.project_dir),
                                   secret=cookie_secret, children=children)
    diagram = DiagramService(engine, lambda: project_models.facts().catalog)
    sessions = None if token is None else Sessions(
        cookie_secret, token, store=settings.data_dir / REVOKED_FILE if settings.secret_key else None)
    return AppState(
        settings=settings, engine=engine, monitor=DatabaseMonitor(engine), models=project_models, renderer=renderer,
        access_token=token, cookie_secret=cookie_secret, browser=Browser(engine),
        records=Records(engine, lambda: project_models.facts().catalog), migrations=migrations,
        rehearsals=Rehearsals(migrations), revision_files=RevisionFiles(migrations),
        console=Console.from_settings(settings, engine), diagram=diagram,
        models_pages=ModelsService(project_models, diagram, migrations.revision_scripts), children=children,
        sessions=sessions, throttle=LoginThrottle())


def dependencies(state: AppState) -> dict[str, Provide]:
    """The app-level dependencies: the state and each service under the name handlers declare."""
    def provide(value: Any) -> Provide:
        return Provide(lambda: value, sync_to_thread=False, use_cache=True)

    return {"runtime": provide(state), "renderer": provide(state.renderer), "browser": provide(state.browser),
            "records": provide(state.records), "migrations": provide(state.migrations),
            "rehearsals": provide(state.rehearsals), "revision_files": provide(state.revision_files),
            "console": provide(state.console), "models": provide(state.models_pages)}


# What handlers declare to receive them (explicit named dependencies, never query parameters).
Runtime = NamedDependency[AppState]
RendererDep = NamedDependency[Renderer]
BrowserDep = NamedDependency[Browser]
RecordsDep = NamedDependency[Records]
MigrationsDep = NamedDependency[MigrationsService]
RehearsalsDep = NamedDependency[Rehearsals]
RevisionFilesDep = NamedDependency[RevisionFiles]
ConsoleDep = NamedDependency[Console]
ModelsDep = NamedDependency[ModelsService]
