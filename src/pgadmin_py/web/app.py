"""The app factory: ``create_app(settings)`` wires everything explicitly; nothing is read at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.response import Redirect, Response
from litestar.static_files import create_static_files_router
from litestar_htmx import ClientRedirect

from pgadmin_py import __version__
from pgadmin_py.browser.service import Browser
from pgadmin_py.core.errors import DatabaseUnavailable
from pgadmin_py.core.hosts import HostAllowlist, is_unspecified
from pgadmin_py.core.interpreter import find_project_python
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.engine import create_db_engine
from pgadmin_py.db.monitor import DatabaseMonitor
from pgadmin_py.migrations.runs import RunRegistry
from pgadmin_py.migrations.service import MigrationsService
from pgadmin_py.orm.models import ProjectModels
from pgadmin_py.web.controllers import diagram, migrations, models, records, sql, tables
from pgadmin_py.web.controllers.auth import AuthController
from pgadmin_py.web.controllers.health import HealthController
from pgadmin_py.web.controllers.home import HomeController
from pgadmin_py.web.errors import EXCEPTION_HANDLERS
from pgadmin_py.web.flash import clear_shown_flash
from pgadmin_py.web.hostcheck import HostCheck
from pgadmin_py.web.render import AppInfo, Renderer, build_environment
from pgadmin_py.web.security import (
    access_token_for,
    add_security_headers,
    is_logged_in,
    is_public,
    refuse_bad_address,
    refuse_writes_when_read_only,
)
from pgadmin_py.web.sessions import REVOKED_FILE, Sessions
from pgadmin_py.web.state import AppState
from pgadmin_py.web.throttle import LoginThrottle
from pgadmin_py.web.timing import server_timing
from pgadmin_py.web.urls import Urls

log = logging.getLogger(__name__)
ROUTE_HANDLERS: list[Any] = [
    HomeController, HealthController, AuthController,
    *migrations.ROUTES, *tables.ROUTES, *records.ROUTES, *models.ROUTES, *diagram.ROUTES, *sql.ROUTES,
]
NO_DATABASE_PREFIXES = ("/static/", "/healthz", "/readyz", "/login", "/logout", "/favicon.ico")


def resource_dir(name: str) -> Path:
    """``templates``/``static`` inside the installed wheel, else at the top of the source tree."""
    packaged = Path(__file__).resolve().parents[1] / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / name


def build_state(settings: Settings, *, access_token: str | None = None, models: ProjectModels | None = None,
                cookie_secret: str | None = None) -> AppState:
    """Everything the app holds. ``access_token`` and ``cookie_secret`` are passed in when the CLI made them
    already (it printed the token, or the credentials page issued a login with them)."""
    if settings.database_url is None:
        raise ValueError("create_app needs a database URL; the CLI starts the embedded server first")
    engine = create_db_engine(settings.database_url, read_only=settings.read_only,
                              statement_timeout_ms=settings.statement_timeout_ms)
    if models is None:  # read in the background by the project's interpreter; pages show "reading…" meanwhile
        models = ProjectModels.for_settings(settings)
        models.start()
    token = access_token if access_token is not None else access_token_for(settings)
    info = AppInfo(version=__version__, read_only=settings.read_only, auth_enabled=token is not None,
                   database_label=settings.database_url.label(),
                   project_name="demo" if settings.demo else settings.project_dir.name)
    cookie_secret = cookie_secret or settings.secret_key or secrets.token_hex(32)
    renderer = Renderer(build_environment(resource_dir("templates")), info, flash_secret=cookie_secret)
    migrations = MigrationsService(settings, engine, RunRegistry(), models,
                                   python=find_project_python(settings.alembic_python, settings.project_dir),
                                   secret=cookie_secret)
    sessions = None if token is None else Sessions(
        cookie_secret, token, store=settings.data_dir / REVOKED_FILE if settings.secret_key else None)
    return AppState(settings=settings, engine=engine, monitor=DatabaseMonitor(engine), models=models,
                    renderer=renderer, access_token=token, cookie_secret=cookie_secret, browser=Browser(engine),
                    sessions=sessions, throttle=LoginThrottle(), migrations=migrations)


class PgAdminApp(Litestar):
    """Litestar with the Host/Origin check in front of routing: Litestar's middleware runs only once a
    route matched, and a 404 page, a 405 or a static file must answer only to allowed hosts too."""

    host_check: HostCheck | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.host_check is not None and await self.host_check.refused(
                scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, state: AppState | None = None) -> Litestar:
    app_state = state or build_state(settings)
    allowlist = HostAllowlist.build(settings.host, settings.allowed_hosts)
    if is_unspecified(settings.host) and not settings.allowed_hosts:
        log.warning("Listening on %s, but only %s are accepted in the Host header: set ALLOWED_HOSTS to the "
                    "name(s) you open pgadmin-py by", settings.host, allowlist.describe())

    async def guard(request: Request[Any, Any, Any]) -> Response[Any] | None:
        path = request.url.path
        if app_state.sessions is not None and not is_public(path) and not is_logged_in(
                request, app_state.sessions):
            target = Urls().login(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
            if request.headers.get("hx-request") == "true":
                return ClientRedirect(target)
            return Redirect(target)
        refuse_bad_address(request)
        refuse_writes_when_read_only(request, settings.read_only)
        if not path.startswith(NO_DATABASE_PREFIXES) and not app_state.monitor.up:
            if not app_state.monitor.checked or app_state.monitor.last_error is None:
                await asyncio.to_thread(app_state.monitor.check_now)
            if not app_state.monitor.up:
                raise DatabaseUnavailable(app_state.monitor.last_error or "The database has not answered yet.")
        return None

    @contextlib.asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(app_state.monitor.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            app_state.migrations.shutdown()
            app_state.engine.dispose()

    app = PgAdminApp(
        route_handlers=[*ROUTE_HANDLERS, create_static_files_router(
            path="/static", directories=[resource_dir("static")], send_as_attachment=False,
            cache_control=None, include_in_schema=False)],
        dependencies={"runtime": Provide(lambda: app_state, sync_to_thread=False)},
        middleware=[server_timing],
        before_request=guard,
        exception_handlers=EXCEPTION_HANDLERS,
        csrf_config=CSRFConfig(secret=app_state.cookie_secret, cookie_name="pgadmin_py_csrf",
                               cookie_secure=settings.cookie_secure, cookie_samesite="strict",
                               cookie_httponly=True),
        before_send=[add_security_headers, clear_shown_flash],
        lifespan=[lifespan],
        state=State({"pgadmin": app_state}),
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    app.host_check = HostCheck(allowlist)
    return app
