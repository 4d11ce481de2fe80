"""Login and logout, for when a password or a generated access token guards the app."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Response

from pgadmin_py.web.security import AUTH_COOKIE, auth_cookie_value, token_matches
from pgadmin_py.web.state import Runtime
from pgadmin_py.web.urls import safe_next

FAILED_LOGIN_DELAY_S = 0.5  # slows guessing; the token is long enough that this is a courtesy


def _login_cookie(runtime: Runtime, token: str) -> Cookie:
    return Cookie(key=AUTH_COOKIE, value=auth_cookie_value(runtime.cookie_secret, token), httponly=True,
                  samesite="strict", secure=runtime.settings.cookie_secure, path="/", max_age=14 * 24 * 3600)


class AuthController(Controller):
    path = "/"

    @get("/login", sync_to_thread=False)
    def login_page(self, request: Request[Any, Any, Any], runtime: Runtime,
                   token: FromQuery[str | None] = None) -> Response[str] | Redirect:
        target = safe_next(request.query_params.get("next"))
        if runtime.access_token is None:
            return Redirect(target)
        if token is not None and token_matches(token, runtime.access_token):  # Jupyter-style login URL
            return Redirect(target, cookies=[_login_cookie(runtime, runtime.access_token)])
        return runtime.renderer.page(request, "auth/login.html", section="", title="Log in", error=None,
                                   next=target)

    @post("/login", opt={"read_only_safe": True})
    async def login(self, request: Request[Any, Any, Any], runtime: Runtime,
                    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
                    ) -> Response[str] | Redirect:
        target = safe_next(data.get("next"))
        if runtime.access_token is None:
            return Redirect(target, status_code=303)
        if token_matches(data.get("token", ""), runtime.access_token):
            return Redirect(target, status_code=303, cookies=[_login_cookie(runtime, runtime.access_token)])
        await asyncio.sleep(FAILED_LOGIN_DELAY_S)
        return runtime.renderer.page(request, "auth/login.html", section="", title="Log in", status_code=401,
                                   error="That password or token is not right.", next=target)

    @post("/logout", opt={"read_only_safe": True}, status_code=303)
    async def logout(self) -> Redirect:
        return Redirect("/login", status_code=303,
                        cookies=[Cookie(key=AUTH_COOKIE, value="", max_age=0, path="/", httponly=True)])
