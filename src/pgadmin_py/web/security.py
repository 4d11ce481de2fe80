"""Security defaults every page inherits: headers (strict CSP), login, read-only refusal.

The Host/Origin check is web/hostcheck.py, login sessions web/sessions.py, the limit on password
guessing web/throttle.py.

CSRF itself is Litestar's ``CSRFConfig`` (double-submit cookie; htmx sends the token in the
``x-csrftoken`` header from ``hx-headers`` on <body>, plain forms in ``_csrf_token``).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.types import Message, Scope

from pgadmin_py.core.errors import AppError, NotFound, ReadOnlyError
from pgadmin_py.core.settings import Settings
from pgadmin_py.web.sessions import Sessions

AUTH_COOKIE = "pgadmin_py_auth"
PUBLIC_PREFIXES = ("/static/", "/healthz", "/readyz", "/login", "/favicon.ico")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: every HTTP response (error pages, 404s, static files) gets the headers."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", []))
        names = {name.lower() for name, _ in headers}
        headers += [(n, v) for n, v in SECURITY_HEADERS if n not in names]
        message["headers"] = headers


def access_token_for(settings: Settings) -> str | None:
    """The secret a user must present: AUTH_PASSWORD, else a one-time token when the server listens
    beyond loopback (Jupyter's approach), else None (a local-only server needs no login)."""
    if settings.auth_disabled:
        return None
    if settings.auth_password:
        return settings.auth_password
    if not settings.listens_on_loopback:
        return secrets.token_urlsafe(24)
    return None


def token_matches(candidate: str, token: str) -> bool:
    return hmac.compare_digest(candidate.encode(), token.encode())


def is_public(path: str) -> bool:
    return path == "/login" or path.startswith(PUBLIC_PREFIXES)


def is_logged_in(request: Request[Any, Any, Any], sessions: Sessions) -> bool:
    cookie = request.cookies.get(AUTH_COOKIE, "")
    return bool(cookie) and sessions.session_of(cookie) is not None


def refuse_writes_when_read_only(request: Request[Any, Any, Any], read_only: bool) -> None:
    """Server-side read-only mode: every unsafe request is refused unless its route is marked
    ``read_only_safe`` (login, or a console run that executes in a read-only transaction)."""
    if not read_only or request.method in SAFE_METHODS:
        return
    if request.route_handler.opt.get("read_only_safe"):
        return
    raise ReadOnlyError()


class BadAddress(AppError):
    title = "Bad address"


INT64_MAX = 2**63 - 1
MAX_STATIC_PATH = 1024


def refuse_bad_address(request: Request[Any, Any, Any]) -> None:
    """Addresses that can name nothing, refused before a handler passes them to PostgreSQL, SQLite or open():
    a NUL character (no name can hold one), a numeric id beyond 64 bits (no id is that large), and a
    static path longer than a file name can be."""
    path = request.url.path
    if "\x00" in path:
        raise BadAddress("The address contains a NUL character (%00), which no table, file or id can hold.",
                         "Check the link you followed, or start again from the dashboard.")
    for name, value in request.path_params.items():
        if isinstance(value, int) and not -INT64_MAX - 1 <= value <= INT64_MAX:
            raise NotFound(f"There is no {name.replace('_', ' ')} {value}: ids are at most {INT64_MAX}.",
                           "Check the link you followed.")
    if path.startswith("/static/") and (len(path) > MAX_STATIC_PATH or
                                        any(len(part.encode()) > 255 for part in path.split("/"))):
        raise NotFound(f"There is no file at {path[:80]}...", "Check the address.")
