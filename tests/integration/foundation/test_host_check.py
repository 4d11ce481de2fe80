"""DNS rebinding: the server answers only to the hosts it is meant for (issue 12, point 3).

A page on evil.example whose name was rebound to 127.0.0.1 talks to us with ``Host: evil.example``;
only loopback names and addresses, the listen address and ALLOWED_HOSTS get an answer. Unsafe
requests also need an allowed ``Origin`` (or ``Referer``) when the browser sends one.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from support.web import csrf_token, make_client, run_async

PATHS = ["/", "/tables", "/static/css/app.css", "/no-such-page", "/healthz", "/readyz", "/login", "/sql"]


def _machine_address() -> str:
    """An address of this machine that is not loopback (only ever sent as a header, never connected to)."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        found = set()
    return next((a for a in sorted(found) if not a.startswith("127.")), "192.168.10.20")


HOSTILE = [
    "evil.example", "evil.example:3000", "127.0.0.1.evil.example", "localhost.evil.example",
    "localhost.evil.example:3000", "EVIL.example", _machine_address(), f"{_machine_address()}:3000", "0.0.0.0",
    "0.0.0.0:3000", "[::]", "2130706433", "0x7f000001", "127.1", "localhost.localdomain", "app.localhost",
    "user@127.0.0.1", "127.0.0.1@evil.example", "evil.example#@127.0.0.1", "127.0.0.1:3000@evil.example",
    "127.0.0.1:abc", "127.0.0.1:99999", "127.0.0.1/x", "127.0.0.1 evil.example", "localhost\x00.evil.example",
    "", " ", "[::1", "[127.0.0.1]", "pgadmin.example.com.evil.example", "xn--evil-9ta.example", "*",
]
FRIENDLY = [
    "127.0.0.1", "127.0.0.1:3000", "localhost", "localhost:8080", "LOCALHOST", "LocalHost:3000", "localhost.",
    "[::1]", "[::1]:3000", "[0:0:0:0:0:0:0:1]", "127.0.0.2:3000",
]


@pytest.fixture
def app(demo_env: dict[str, str]) -> Iterator[TestClient[Any]]:
    with make_client(demo_env) as client:
        yield client


def _refused(client: TestClient[Any], host: str, path: str = "/") -> bool:
    response = client.get(path, headers={"host": host}, follow_redirects=False)
    if response.status_code == 400:
        assert response.headers["content-type"].startswith("text/plain")
        assert "ALLOWED_HOSTS" in response.text or "Host header" in response.text
        assert response.headers["x-frame-options"] == "DENY"
        return True
    return False


def test_no_host_other_than_the_allowed_is_accepted(app: TestClient[Any]) -> None:
    accepted = [(host, path) for host in HOSTILE for path in PATHS if not _refused(app, host, path)]
    assert accepted == []
    print(f"\nHost check: 0 of {len(HOSTILE) * len(PATHS)} requests with a foreign Host accepted "
          f"({len(HOSTILE)} hosts x {len(PATHS)} paths)")


def test_loopback_names_are_accepted_in_any_case_and_port(app: TestClient[Any]) -> None:
    for host in FRIENDLY:
        response = app.get("/", headers={"host": host})
        assert response.status_code == 200, (host, response.text[:200])


def test_the_refusal_says_which_setting_to_change(app: TestClient[Any]) -> None:
    response = app.get("/", headers={"host": "pgadmin.internal:3000"})
    assert response.status_code == 400
    assert "does not answer to the host 'pgadmin.internal:3000'" in response.text
    assert "add it to the ALLOWED_HOSTS setting" in response.text
    assert "<" not in response.text  # plain text, no page that a rebound origin could read data from


def _raw(client: TestClient[Any], headers: list[tuple[bytes, bytes]], method: str = "GET") -> int:
    """Send a request the HTTP clients refuse to build (no Host, two Hosts) straight to the ASGI app."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": "/healthz", "raw_path": b"/healthz", "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 3000)}
    run_async(client.app(scope, receive, send))
    return int(sent[0]["status"])


def test_missing_or_repeated_host_is_refused(app: TestClient[Any]) -> None:
    assert _raw(app, [(b"host", b"127.0.0.1")]) == 200
    assert _raw(app, []) == 400
    assert _raw(app, [(b"host", b"127.0.0.1"), (b"host", b"evil.example")]) == 400
    assert _raw(app, [(b"host", b"127.0.0.1"), (b"host", b"127.0.0.1")]) == 400


def test_allowed_hosts_and_the_listen_address(demo_env: dict[str, str]) -> None:
    env = {**demo_env, "HOST": "0.0.0.0", "AUTH_DISABLED": "1", "ALLOWED_HOSTS": "pgadmin.example.com,.corp.example"}
    with make_client(env) as client:
        for host in ("pgadmin.example.com", "PGADMIN.example.com:443", "corp.example", "db.corp.example:3000",
                     "127.0.0.1:3000", "localhost"):
            assert client.get("/", headers={"host": host}).status_code == 200, host
        for host in ("0.0.0.0:3000", "evilcorp.example", "corp.example.evil.example", "example.com",
                     "pgadmin.example.com.evil.example"):
            assert _refused(client, host), host
    with make_client({**demo_env, "HOST": _machine_address()}) as client:
        assert client.get("/login", headers={"host": f"{_machine_address()}:3000"}).status_code == 200
        assert _refused(client, "evil.example", "/login")


def test_unsafe_requests_need_an_allowed_origin(app: TestClient[Any]) -> None:
    token = csrf_token(app)

    def logout(**headers: str) -> int:
        return app.post("/logout", headers={"x-csrftoken": token, **headers}, follow_redirects=False).status_code

    assert logout() == 303  # a non-browser client sends neither Origin nor Referer
    assert logout(origin="http://127.0.0.1:3000") == 303
    assert logout(origin="http://localhost") == 303
    assert logout(referer="http://127.0.0.1:3000/sql") == 303
    for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example", "file://", "garbage",
                   "http://user@evil.example", "http://evil.example:3000"):
        response = app.post("/logout", headers={"x-csrftoken": token, "origin": origin}, follow_redirects=False)
        assert response.status_code == 403, origin
        assert "only pages pgadmin-py serves may send changes" in response.text
    assert logout(referer="http://evil.example/attack") == 403
    assert logout(origin="http://evil.example", referer="http://127.0.0.1/") == 403  # Origin decides
    assert app.get("/", headers={"origin": "http://evil.example"}).status_code == 200  # safe methods: Host only
