"""The app factory: ``create_app(settings)`` wires everything explicitly; nothing is read at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.plugins.htmx import ClientRedirect, HTMXPlugin, HTMXRequest
from litestar.response import Redirect, Response
from litestar.static_files import create_static_files_router

from pgadmin_py.core.errors import DatabaseUnavailable
from pgadmin_py.core.hosts import HostAllowlist, is_unspecified
from pgadmin_py.core.settings import Settings
from pgadmin_py.web.controllers import diagram, migrations, models, records, sql, tables
from pgadmin_py.web.controllers.auth import AuthController
from pgadmin_py.web.controllers.health import HealthController
from pgadmin_py.web.controllers.home import HomeController
from pgadmin_py.web.errors import ErrorPages
from pgadmin_py.web.flash import clear_shown_flash
from pgadmin_py.web.hostcheck import HostCheck
from pgadmin_py.web.htmx import htmx_of
from pgadmin_py.web.resources import resource_dir
from pgadmin_py.web.security import (
    add_security_headers,
    is_logged_in,
    is_public,
    refuse_bad_address,
    refuse_writes_when_read_only,
)
from pgadmin_py.web.state import AppState, build_state, dependencies
from pgadmin_py.web.timing import server_timing
from pgadmin_py.web.urls import Urls

__all__ = ["AppState", "PgAdminApp", "build_state", "create_app", "resource_dir"]

log = logging.getLogger(__name__)
ROUTE_HANDLERS: list[Any] = [
    HomeController, HealthController, AuthController,
    *migrations.ROUTES, *tables.ROUTES, *records.ROUTES, *models.ROUTES, *diagram.ROUTES, *sql.ROUTES,
]
NO_DATABASE_PREFIXES = ("/static/", "/healthz", "/readyz", "/login", "/logout", "/favicon.ico")


class PgAdminApp(Litestar):
    """Litestar with the Host/Origin check in front of routing: Litestar's middleware runs only once a
    route matched, and a 404 page, a 405 or a static file must answer only to allowed hosts too."""

    host_check: HostCheck | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.host_check is not None and await self.host_check.refused(
                scope, receive, send):
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, state: AppState | None = None, strict_blocks: bool = False) -> Litestar:
    """The app on ``settings``: every service built once (``state``, else :func:`build_state`), started and
    stopped with the app's lifespan. ``strict_blocks`` (tests): an htmx target that is not a block is an error."""
    app_state = state or build_state(settings, strict_blocks=strict_blocks)
    allowlist = HostAllowlist.build(settings.host, settings.allowed_hosts)
    if is_unspecified(settings.host) and not settings.allowed_hosts:
        log.warning("Listening on %s, but only %s are accepted in the Host header: set ALLOWED_HOSTS to the "
                    "name(s) you open pgadmin-py by", settings.host, allowlist.describe())

    async def guard(request: Request[Any, Any, Any]) -> Response[Any] | None:
        path = request.url.path
        if app_state.sessions is not None and not is_public(path) and not is_logged_in(
                request, app_state.sessions):
            target = Urls().login(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
            if htmx_of(request):
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
        app_state.start()
        task = asyncio.create_task(app_state.monitor.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await asyncio.to_thread(app_state.stop)

    app = PgAdminApp(
        route_handlers=[*ROUTE_HANDLERS, create_static_files_router(
            path="/static", directories=[resource_dir("static")], send_as_attachment=False,
            cache_control=None, include_in_schema=False)],
        dependencies=dependencies(app_state),
        plugins=[HTMXPlugin()],
        request_class=HTMXRequest,
        middleware=[server_timing],
        before_request=guard,
        exception_handlers=ErrorPages(app_state).handlers(),
        csrf_config=CSRFConfig(secret=app_state.cookie_secret, cookie_name="pgadmin_py_csrf",
                               cookie_secure=settings.cookie_secure, cookie_samesite="strict",
                               cookie_httponly=True),
        before_send=[add_security_headers, clear_shown_flash],
        lifespan=[lifespan],
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    app.host_check = HostCheck(allowlist)
    return app
