"""Security defaults every feature inherits: CSRF, headers, read-only refusal, login."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from pgadmin_py.web.security import CONTENT_SECURITY_POLICY
from support.web import csrf_token, make_client, make_state


def test_forged_post_without_token_is_refused(client: TestClient[Any]) -> None:
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    assert "security token is missing or out of date" in response.text
    assert "Traceback" not in response.text


def test_post_with_the_page_token_is_accepted(client: TestClient[Any]) -> None:
    token = csrf_token(client)
    response = client.post("/logout", headers={"x-csrftoken": token}, follow_redirects=False)
    assert response.status_code == 303


def test_token_from_another_session_is_refused(demo_env: dict[str, str], client: TestClient[Any]) -> None:
    with make_client(demo_env) as other:
        foreign = csrf_token(other)
    csrf_token(client)
    response = client.post("/logout", headers={"x-csrftoken": foreign}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/", "/static/css/app.css", "/no-such-page", "/healthz"])
def test_every_response_carries_strict_headers(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client: TestClient[Any]) -> None:
    html = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> would be blocked by the CSP"
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_csrf_cookie_flags(client: TestClient[Any]) -> None:
    response = client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def _unsafe_routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", ())) - {"GET", "HEAD", "OPTIONS"}
            if methods and not handler.opt.get("read_only_safe"):
                path = re.sub(r"\{[^}]+\}", "x", re.sub(r"\{[^}:]+:int\}", "1", route.path))  # a path that routes
                found += [(method, path) for method in sorted(methods)]
    return found


def test_read_only_mode_refuses_every_write_route(demo_env: dict[str, str]) -> None:
    with make_client({**demo_env, "READ_ONLY": "1"}) as ro:
        token = csrf_token(ro)
        page = ro.get("/").text
        assert "read-only" in page.lower()
        for method, path in _unsafe_routes(ro.app):
            response = ro.request(method, path, headers={"x-csrftoken": token})
            assert response.status_code == 403, (method, path, response.status_code)
            assert "read-only mode" in response.text


def test_read_only_mode_is_enforced_by_the_database_too(demo_env: dict[str, str]) -> None:
    env = {**demo_env, "READ_ONLY": "1"}
    state = make_state(env)
    with make_client(env, state), state.engine.connect() as conn, \
            pytest.raises(DBAPIError, match="read-only transaction"):
            conn.execute(text("delete from payments"))


def test_login_required_when_a_password_is_set(demo_env: dict[str, str]) -> None:
    with make_client({**demo_env, "AUTH_PASSWORD": "correct horse battery"}) as app:
        first = app.get("/?tab=1", follow_redirects=False)
        assert first.status_code in (302, 303, 307)
        assert first.headers["location"] == "/login?next=%2F%3Ftab%3D1"
        assert app.get("/healthz").status_code == 200  # probes stay public
        token = csrf_token(app, "/login")
        wrong = app.post("/login", data={"token": "guess", "next": "/"}, headers={"x-csrftoken": token})
        assert wrong.status_code == 401 and "not right" in wrong.text
        assert app.get("/", follow_redirects=False).status_code != 200
        right = app.post("/login", data={"token": "correct horse battery", "next": "/"},
                         headers={"x-csrftoken": token}, follow_redirects=False)
        assert right.status_code == 303
        assert "httponly" in right.headers["set-cookie"].lower()
        assert app.get("/").status_code == 200


def test_non_loopback_without_password_gets_a_generated_token(demo_env: dict[str, str]) -> None:
    env = {**demo_env, "HOST": "0.0.0.0"}
    state = make_state(env)
    with make_client(env, state) as app:
        token = state.access_token
        assert token and len(token) >= 24
        assert app.get("/", follow_redirects=False).status_code in (302, 303, 307)
        assert app.get(f"/login?token={token}").status_code == 200
        assert "Dashboard" in app.get("/").text
    with make_client({**demo_env, "HOST": "0.0.0.0", "AUTH_DISABLED": "1"}) as app:
        assert app.get("/", follow_redirects=False).status_code == 200  # no login asked for
        assert app.get("/login", follow_redirects=False).status_code == 302  # nothing to log in to


def test_no_password_in_pages(demo_env: dict[str, str]) -> None:
    url = demo_env["DATABASE_URL"].replace("postgres@", "postgres:pa55word-xyz@", 1)
    with make_client({**demo_env, "DATABASE_URL": url}) as app:
        for path in ("/", "/no-such-page"):
            assert "pa55word-xyz" not in app.get(path).text
