"""Login and logout, for when a password or a generated access token guards the app.

Both ways in (the form's POST and the Jupyter-style ``GET /login?token=``) go through one check that
the login throttle (web/throttle.py) limits: a client past its budget of failures gets a 429 with
``Retry-After`` and its guess is not even compared. Logout revokes the session on the server.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Response

from pgadmin_py.web.security import AUTH_COOKIE, token_matches
from pgadmin_py.web.sessions import SESSION_SECONDS, Sessions
from pgadmin_py.web.state import AppState, Runtime
from pgadmin_py.web.urls import safe_next

WRONG = "That password or token is not right."


def _login_cookie(runtime: AppState, sessions: Sessions) -> Cookie:
    return Cookie(key=AUTH_COOKIE, value=sessions.issue(), httponly=True, samesite="strict",
                  secure=runtime.settings.cookie_secure, path="/", max_age=SESSION_SECONDS)


def _client(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


def _attempt(request: Request[Any, Any, Any], runtime: AppState, sessions: Sessions, candidate: str,
             target: str, status_code: Literal[302, 303]) -> Response[str] | Redirect:
    """Check one guess under the throttle: a redirect with a session cookie, a 401, or a 429."""
    address = _client(request)
    refusal = runtime.throttle.refusal(address)
    if refusal is not None:
        who = "on this server" if refusal.overall else "from your address"
        message = (f"Too many wrong passwords or tokens {who} in the last minute, so this one was not checked. "
                   f"Wait {refusal.retry_after} s and try again.")
        return _login_page(request, runtime, target, message, 429, {"Retry-After": str(refusal.retry_after)})
    if token_matches(candidate, runtime.access_token or ""):
        return Redirect(target, status_code=status_code, cookies=[_login_cookie(runtime, sessions)])
    runtime.throttle.failed(address)
    return _login_page(request, runtime, target, WRONG, 401)


def _login_page(request: Request[Any, Any, Any], runtime: AppState, target: str, error: str | None,
                status_code: int = 200, headers: dict[str, str] | None = None) -> Response[str]:
    return runtime.renderer.page(request, "auth/login.html", section="", title="Log in", error=error,
                                 next=target, status_code=status_code, headers=headers)


class AuthController(Controller):
    path = "/"

    @get("/login", sync_to_thread=False)
    def login_page(self, request: Request[Any, Any, Any], runtime: Runtime,
                   token: FromQuery[str | None] = None) -> Response[str] | Redirect:
        target = safe_next(request.query_params.get("next"))
        if runtime.sessions is None:
            return Redirect(target)
        if token is not None:  # the Jupyter-style login URL the server prints
            return _attempt(request, runtime, runtime.sessions, token, target, 302)
        return _login_page(request, runtime, target, None)

    @post("/login", opt={"read_only_safe": True}, sync_to_thread=False)
    def login(self, request: Request[Any, Any, Any], runtime: Runtime,
              data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
              ) -> Response[str] | Redirect:
        target = safe_next(data.get("next"))
        if runtime.sessions is None:
            return Redirect(target, status_code=303)
        return _attempt(request, runtime, runtime.sessions, data.get("token", ""), target, 303)

    @post("/logout", opt={"read_only_safe": True}, status_code=303, sync_to_thread=True)
    def logout(self, request: Request[Any, Any, Any], runtime: Runtime) -> Redirect:
        if runtime.sessions is not None:
            runtime.sessions.revoke(request.cookies.get(AUTH_COOKIE, ""))
        return Redirect("/login", status_code=303,
                        cookies=[Cookie(key=AUTH_COOKIE, value="", max_age=0, path="/", httponly=True)])
