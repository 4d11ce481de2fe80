"""Password guessing is limited, logout ends the session on the server, probes say nothing (issue 12, point 4).

In-process tests run on a frozen clock, so the counts are exact; the live-server test sends real
requests from several loopback addresses and reports the rate a guesser gets.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.web.app import build_state, create_app
from pgadmin_py.web.throttle import LoginThrottle
from support.web import BASE_URL, csrf_token, make_client, run_async

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guarded(demo_env: dict[str, str], clock: Clock) -> Iterator[TestClient[Any]]:
    """The app behind AUTH_PASSWORD, its login throttle on a clock the test moves."""
    settings = Settings.from_env({**demo_env, "AUTH_PASSWORD": PASSWORD}, parse_url=parse_database_url)
    state = build_state(settings)
    state.throttle = LoginThrottle(clock=clock)
    with TestClient(create_app(settings, state=state), base_url=BASE_URL, raise_server_exceptions=False) as client:
        yield client


def _post_login(client: TestClient[Any], token: str, guess: str) -> httpx.Response:
    return client.post("/login", data={"token": guess, "next": "/"}, headers={"x-csrftoken": token},
                       follow_redirects=False)


def test_failed_logins_are_limited_per_client_on_post_and_get(guarded: TestClient[Any], clock: Clock) -> None:
    token = csrf_token(guarded, "/login")
    statuses = [_post_login(guarded, token, f"guess {n}").status_code for n in range(10)]
    statuses += [guarded.get(f"/login?token=guess-{n}", follow_redirects=False).status_code for n in range(10)]
    assert statuses.count(401) == 5 and statuses.count(429) == 15
    assert statuses[:5] == [401] * 5
    refused = guarded.get("/login?token=another-guess", follow_redirects=False)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "12"
    assert "Too many wrong passwords or tokens from your address" in refused.text and "Wait 12 s" in refused.text
    assert _post_login(guarded, token, PASSWORD).status_code == 429  # not even checked while limited
    clock.now += 12
    assert _post_login(guarded, token, "one more guess").status_code == 401  # one token back, spent
    assert _post_login(guarded, token, PASSWORD).status_code == 429
    clock.now += 12
    right = _post_login(guarded, token, PASSWORD)
    assert right.status_code == 303  # a pause, never a lock-out
    assert guarded.get("/", follow_redirects=False).status_code == 200


def test_the_overall_limit_spans_addresses_and_a_right_password_waits_only_seconds(
        guarded: TestClient[Any], clock: Clock) -> None:
    """GET /login?token= from 40 addresses (no CSRF token needed): 30 checked, then 429 for all."""

    async def guesses() -> list[tuple[int, str]]:
        results = []
        for n in range(2, 42):
            transport = httpx.ASGITransport(app=guarded.app, client=(f"127.0.0.{n}", 40000))
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                for guess in ("a", "b"):
                    response = await client.get(f"/login?token={guess}")
                    results.append((response.status_code, response.text))
        return results

    results = run_async(guesses())
    statuses = [status for status, _ in results]
    assert statuses.count(401) == 30 and statuses.count(429) == 50
    assert any("Too many wrong passwords or tokens on this server" in text for _, text in results)

    async def right_password() -> int:
        transport = httpx.ASGITransport(app=guarded.app, client=("127.0.0.99", 40000))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return (await client.get(f"/login?token={urllib.parse.quote(PASSWORD)}")).status_code

    assert run_async(right_password()) == 429
    clock.now += 2  # the Retry-After of the overall limit
    assert run_async(right_password()) == 302


def _cookie_of(response: httpx.Response) -> str:
    match = re.search(r"pgadmin_py_auth=([^;]+)", response.headers["set-cookie"])
    assert match
    return match.group(1)


def test_logout_revokes_the_session_on_the_server(guarded: TestClient[Any]) -> None:
    stolen = _cookie_of(_post_login(guarded, csrf_token(guarded, "/login"), PASSWORD))
    assert guarded.get("/", follow_redirects=False).status_code == 200
    logout = guarded.post("/logout", headers={"x-csrftoken": csrf_token(guarded)}, follow_redirects=False)
    assert logout.status_code == 303
    assert guarded.get("/", follow_redirects=False).status_code in (302, 303, 307)
    guarded.cookies.set("pgadmin_py_auth", stolen)  # a copy of the cookie, taken before the logout
    assert guarded.get("/", follow_redirects=False).status_code in (302, 303, 307)


def test_revocations_outlive_a_restart_and_reach_replicas(demo_env: dict[str, str]) -> None:
    """With SECRET_KEY, logins survive a restart; so do logouts, and a replica on the same DATA_DIR sees them."""
    env = {**demo_env, "AUTH_PASSWORD": PASSWORD, "SECRET_KEY": "k" * 32}
    with make_client(env) as browser, make_client(env) as replica:
        stolen = _cookie_of(_post_login(browser, csrf_token(browser, "/login"), PASSWORD))
        replica.cookies.set("pgadmin_py_auth", stolen)
        assert replica.get("/", follow_redirects=False).status_code == 200
        assert browser.post("/logout", headers={"x-csrftoken": csrf_token(browser)},
                            follow_redirects=False).status_code == 303
        assert replica.get("/", follow_redirects=False).status_code in (302, 303, 307)
    with make_client(env) as restarted:
        restarted.cookies.set("pgadmin_py_auth", stolen)
        assert restarted.get("/", follow_redirects=False).status_code in (302, 303, 307)
        fresh = _cookie_of(_post_login(restarted, csrf_token(restarted, "/login"), PASSWORD))
    with make_client(env) as again:
        again.cookies.set("pgadmin_py_auth", fresh)
        assert again.get("/", follow_redirects=False).status_code == 200


def test_readyz_tells_anonymous_callers_only_ready_or_not(client: TestClient[Any]) -> None:
    response = client.get("/readyz")
    assert response.json() == {"status": "ready"}
    assert "PostgreSQL" not in response.text and "server_version" not in response.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, source: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_a_live_server_limits_guessing(demo_env: dict[str, str], tmp_path: Path) -> None:
    """The real server, guessed at from 127.0.0.2 as fast as one client can: the rate a guesser gets."""
    port = _free_port()
    env = {**os.environ, **demo_env, "AUTH_PASSWORD": PASSWORD, "HOST": "127.0.0.1", "PORT": str(port)}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "pgadmin_py", "serve"], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(port, "/healthz", "127.0.0.1")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        start = time.monotonic()
        statuses = [_get(port, f"/login?token=guess{n}", "127.0.0.2") for n in range(200)]
        elapsed = time.monotonic() - start
        assert statuses[:5] == [401] * 5
        assert statuses.count(429) >= 190  # at most one more check per 12 s of this burst
        assert _get(port, f"/login?token={urllib.parse.quote(PASSWORD)}", "127.0.0.3") == 302  # another client
        print(f"\nlogin guessing: {len(statuses)} guesses from one address in {elapsed:.2f} s "
              f"({len(statuses) / elapsed:.0f} requests/s), {statuses.count(401)} checked, "
              f"{statuses.count(429)} refused with 429; at the limit: "
              f"{5 / 60:.3f} guesses/s per address, {30 / 60:.2f} guesses/s for all addresses together")
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
