"""The page that asks for the database's credentials when compose discovery found a server that wants them.

It is its own small app, served before the real one: ``create_app`` still receives complete settings, and no
service is ever built or swapped inside a handler. When a login works, ``on_connected`` hands the URL (password
in memory only: never written to disk, a log or a command line) back to the CLI, which stops this app and serves
the real one on the same port; the browser waits for ``/readyz`` and opens the dashboard.

It keeps every safety of the real app: the Host/Origin check, CSRF, the security headers, and the same login
(token or ``AUTH_PASSWORD``, throttled): the session cookie it issues is valid in the real app, which is built
with the same token and cookie secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Litestar, Request, get, post
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, State
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response
from litestar.static_files import create_static_files_router

from pgadmin_py import __version__
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.hosts import HostAllowlist
from pgadmin_py.core.settings import Settings
from pgadmin_py.web.app import PgAdminApp, resource_dir
from pgadmin_py.web.hostcheck import HostCheck
from pgadmin_py.web.render import AppInfo, Renderer, build_environment
from pgadmin_py.web.security import AUTH_COOKIE, add_security_headers, token_matches
from pgadmin_py.web.sessions import SESSION_SECONDS, Sessions
from pgadmin_py.web.throttle import LoginThrottle

# Tries a URL; returns None when PostgreSQL accepted it, else words for the user (never the password).
Attempt = Callable[[DatabaseUrl], "str | None"]


@dataclass
class Asking:
    """What the credentials page needs: the server that asked, and how to try and hand over a login."""

    settings: Settings
    target: DatabaseUrl  # host, port, user and database found; no password
    found: str  # how it was found, for the page
    attempt: Attempt
    on_connected: Callable[[DatabaseUrl], None]
    renderer: Renderer
    token: str | None
    sessions: Sessions | None
    throttle: LoginThrottle


def _asking(request: Request[Any, Any, Any]) -> Asking:
    asking: Asking = request.app.state["asking"]
    return asking


def _logged_in(request: Request[Any, Any, Any], asking: Asking) -> bool:
    if asking.sessions is None:
        return True
    cookie = request.cookies.get(AUTH_COOKIE, "")
    return bool(cookie) and asking.sessions.session_of(cookie) is not None


def _cookie(asking: Asking) -> Cookie:
    assert asking.sessions is not None
    return Cookie(key=AUTH_COOKIE, value=asking.sessions.issue(), httponly=True, samesite="strict",
                  secure=asking.settings.cookie_secure, path="/", max_age=SESSION_SECONDS)


def _page(request: Request[Any, Any, Any], asking: Asking, *, error: str | None = None, user: str | None = None,
          database: str | None = None, status_code: int = 200, signed_in: bool = False) -> Response[str]:
    return asking.renderer.page(
        request, "connect/credentials.html", section="", title="Connect to PostgreSQL", status_code=status_code,
        where=asking.target.without_secrets().label(), found=asking.found, error=error,
        ask_token=not (signed_in or _logged_in(request, asking)),
        user=user if user is not None else asking.target.username or "",
        database=database if database is not None else asking.target.get("dbname") or "")


@get("/", sync_to_thread=False)
def credentials_page(request: Request[Any, Any, Any]) -> Response[str]:
    return _page(request, _asking(request))


@get("/{path:path}", sync_to_thread=False)
def any_page(request: Request[Any, Any, Any], path: str) -> Response[str] | Redirect:
    """Every address shows the page (a bookmark of the real app lands here too); ``/login?token=`` logs in."""
    asking = _asking(request)
    token = request.query_params.get("token")
    if path == "/login" and token is not None and asking.token is not None:
        if asking.throttle.refusal(_client(request)) is None and token_matches(token, asking.token):
            return Redirect("/", cookies=[_cookie(asking)])
        asking.throttle.failed(_client(request))
        return _page(request, asking, error="That access token is not right.", status_code=401)
    return _page(request, asking)


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}  # the process answers (a container's health check)


@get("/readyz", sync_to_thread=False)
def readyz() -> Response[dict[str, str]]:
    return Response({"status": "waiting for credentials"}, status_code=503)


def _client(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


@post("/connect", sync_to_thread=True)
def connect(request: Request[Any, Any, Any],
            data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Response[str]:
    asking = _asking(request)
    user, database = data.get("user", "").strip(), data.get("database", "").strip()
    address = _client(request)
    refusal = asking.throttle.refusal(address)
    if refusal is not None:
        return _page(request, asking, user=user, database=database, status_code=429,
                     error=f"Too many failed attempts in the last minute; wait {refusal.retry_after} s and try again.")
    new_login = False
    if not _logged_in(request, asking):
        if not token_matches(data.get("token", ""), asking.token or ""):
            asking.throttle.failed(address)
            return _page(request, asking, user=user, database=database, status_code=401,
                         error="That access token is not right.")
        new_login = True
    url = asking.target.replace(user=user or None, password=data.get("password") or None, dbname=database or None)
    problem = asking.attempt(url)
    if problem is not None:
        asking.throttle.failed(address)
        failed = _page(request, asking, user=user, database=database, status_code=401, error=problem,
                       signed_in=new_login)
        if new_login:  # the token was right: do not ask for it again
            failed.set_cookie(_cookie(asking))
        return failed
    asking.on_connected(url)
    response = asking.renderer.page(request, "connect/connected.html", section="", title="Connected",
                                    where=url.without_secrets().label(), headers={"Cache-Control": "no-store"})
    if new_login:
        response.set_cookie(_cookie(asking))
    return response


def create_credentials_app(settings: Settings, target: DatabaseUrl, found: str, *, attempt: Attempt,
                           on_connected: Callable[[DatabaseUrl], None], token: str | None,
                           cookie_secret: str) -> Litestar:
    """The credentials page's app. ``token`` and ``cookie_secret`` are the ones the real app is built with."""
    info = AppInfo(version=__version__, read_only=settings.read_only, auth_enabled=False,
                   database_label=target.without_secrets().label(), project_name=settings.project_dir.name)
    asking = Asking(settings, target.without_secrets(), found, attempt, on_connected,
                    Renderer(build_environment(resource_dir("templates")), info), token,
                    Sessions(cookie_secret, token) if token is not None else None, LoginThrottle())
    app = PgAdminApp(
        route_handlers=[credentials_page, healthz, readyz, connect, any_page, create_static_files_router(
            path="/static", directories=[resource_dir("static")], send_as_attachment=False, cache_control=None,
            include_in_schema=False)],
        csrf_config=CSRFConfig(secret=cookie_secret, cookie_name="pgadmin_py_csrf",
                               cookie_secure=settings.cookie_secure, cookie_samesite="strict", cookie_httponly=True),
        before_send=[add_security_headers],
        state=State({"asking": asking}),
        openapi_config=None,
        logging_config=None,
        debug=False,
    )
    app.host_check = HostCheck(HostAllowlist.build(settings.host, settings.allowed_hosts))
    return app
