"""Zero-config in compose: with nothing set, find the PostgreSQL service and the official image's credentials.

No mock answers for PostgreSQL: the candidates are pointed at real servers through ``DISCOVER_HOSTS`` (the shared
test server, and a throwaway one that really checks passwords); a name that does not resolve and a port nobody
listens on stand for the compose services that are not there.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
from test_connection_forms import clean_env, dead_port, demo_project, run_cli, text_of

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.demo import bootstrap as demo
from support.liveserver import Server


def found_line(out: str) -> str:
    return next((line for line in out.splitlines() if line.strip().startswith("found")), "")


def test_inside_the_image_the_compose_names_are_tried_then_the_demo(tmp_path: Path) -> None:
    """PGADMIN_PY_IN_CONTAINER=1 (our image sets it) and nothing else: postgres, db and database are tried on 5432,
    quickly, and the report says so before it falls back to the demo."""
    result = run_cli({"PGADMIN_PY_IN_CONTAINER": "1", "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path / "d")},
                     timeout=180)
    out = result.stdout + result.stderr
    line = next((ln for ln in out.splitlines() if "compose discovery found nothing" in ln), "")  # log or report
    assert line, out
    for name in ("postgres:5432", "db:5432", "database:5432"):
        assert name in line
    seconds = float(re.search(r"\((\d+\.\d+) s\)", line).group(1))  # type: ignore[union-attr]
    assert seconds < 3.5, line
    assert "[embedded]" in out or "cannot start" in out  # the demo (or why it cannot run here)


def test_the_official_image_variables_connect(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    candidates = f"nosuchservice.invalid,127.0.0.1:{dead_port()},{demo_db.host}:{demo_db.port}"
    result = run_cli({"DISCOVER_HOSTS": candidates, "POSTGRES_USER": demo_db.username or "",
                      "POSTGRES_DB": demo_db.database, **demo_project(tmp_path)})
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "[embedded]" not in out
    assert f"current {demo.SEEDED_REVISION}, 2 pending" in out
    line = found_line(out)
    assert "compose discovery" in line and "nosuchservice.invalid:5432: no such host" in line
    assert "nothing listens" in line and f"{demo_db.host}:{demo_db.port}: connected" in line


def test_a_server_that_asks_for_a_password_is_not_replaced_by_the_demo(password_server: Any, tmp_path: Path) -> None:
    env = {"DISCOVER_HOSTS": f"127.0.0.1:{password_server.port}", "POSTGRES_USER": password_server.user,
           "POSTGRES_DB": password_server.database, "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path / "d")}
    asked = run_cli(env)
    out = asked.stdout + asked.stderr
    assert asked.returncode == 1, out
    assert f"{password_server.user}@127.0.0.1:{password_server.port}/{password_server.database} asks for a password" \
        in out
    assert "[embedded]" not in out

    given = run_cli({**env, "POSTGRES_PASSWORD": password_server.password})
    out = given.stdout + given.stderr
    assert given.returncode == 0, out
    assert "connected as POSTGRES_USER/POSTGRES_PASSWORD" in found_line(out)
    assert password_server.password not in out


def test_the_credentials_page_connects_and_hands_its_login_to_the_app(password_server: Any, tmp_path: Path) -> None:
    """The page asks (behind the app's own login), refuses a wrong password, and once one works the real app
    takes over the port with the same login: the password stays in memory, never in the log or on a page."""
    token = "let-me-in-please-0123"
    server = Server({"DISCOVER_HOSTS": f"127.0.0.1:{password_server.port}", "POSTGRES_USER": password_server.user,
                     "POSTGRES_DB": password_server.database, "AUTH_PASSWORD": token, "PROJECT_DIR": str(tmp_path),
                     "DATA_DIR": str(tmp_path / "d")}, tmp_path / "server.log", base=clean_env())
    try:
        page = server.http.get("/tables")  # any address shows the page
        assert page.status_code == 200 and "Connect to PostgreSQL" in page.text
        assert f"{password_server.user}@127.0.0.1:{password_server.port}/{password_server.database}" in page.text
        assert 'name="token"' in page.text  # behind the app's own login
        assert server.http.get("/readyz").status_code == 503

        form = {"user": password_server.user, "database": password_server.database}
        wrong_token = server.post_form("/connect", {**form, "token": "nope", "password": password_server.password},
                                       page="/")
        assert wrong_token.status_code == 401 and "access token is not right" in wrong_token.text
        wrong_password = server.post_form("/connect", {**form, "token": token, "password": "not-it"}, page="/")
        assert wrong_password.status_code == 401
        assert "Password authentication failed for user" in text_of(wrong_password.text)
        assert 'name="token"' not in wrong_password.text  # the token was right: not asked again
        connected = server.post_form("/connect", {**form, "password": password_server.password}, page="/")
        assert connected.status_code == 200 and "Connected" in connected.text, text_of(connected.text)
        assert password_server.password not in connected.text

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if server.http.get("/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        home = server.http.get("/", follow_redirects=False)
        assert home.status_code == 200, home.headers  # the page's login is the app's login
        assert f"{password_server.user}@127.0.0.1:{password_server.port}/{password_server.database}" in home.text
        assert password_server.password not in home.text
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert password_server.password not in log
    assert "asks for a password" in log and "Connected to" in log


def test_a_service_that_resolves_but_is_not_up_yet_is_waited_for(tmp_path: Path) -> None:
    """depends_on without a health condition: the database's name exists before it listens. That is the server we
    want (not the demo): it is taken, and the app waits for it as it waits for any DATABASE_URL."""
    port = dead_port()
    result = run_cli({"DISCOVER_HOSTS": f"nosuchservice.invalid,localhost:{port}", "POSTGRES_USER": "app",
                      "POSTGRES_PASSWORD": "not-shown-anywhere", "PROJECT_DIR": str(tmp_path),
                      "DATA_DIR": str(tmp_path / "d")})
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert f"app@localhost:{port}/app (waiting:" in out and "[embedded]" not in out
    assert f"localhost:{port}: the name resolves, nothing listens yet: waiting for it" in found_line(out)
    assert "not-shown-anywhere" not in out


def test_the_compose_names_reach_a_real_server_and_a_hanging_resolver_costs_one_second(demo_db: DatabaseUrl) -> None:
    """The three compose names through a resolver that maps ``postgres`` to the real test server, never answers for
    ``db`` (a dropped DNS query) and knows no ``database``: the server is found, in about the resolve deadline."""
    import socket
    import threading

    from pgadmin_py.core.settings import COMPOSE_CANDIDATES
    from pgadmin_py.db.discovery import RESOLVE_SECONDS, discover

    never = threading.Event()

    def resolver(host: str, port: int, **kw: Any) -> list[tuple[Any, ...]]:
        if host == "postgres":
            return socket.getaddrinfo(demo_db.host, demo_db.port, **kw)
        if host == "db":
            never.wait(30)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    started = time.monotonic()
    found = discover(COMPOSE_CANDIDATES, {"POSTGRES_USER": demo_db.username or "", "POSTGRES_DB": demo_db.database},
                     resolver=resolver)
    elapsed = time.monotonic() - started
    never.set()
    assert found.url is not None and found.url.get("host") == "postgres", found.summary()
    assert found.url.database == demo_db.database
    assert "db:5432: the resolver did not answer within 1 s" in found.summary()
    assert "database:5432: no such host" in found.summary()
    assert RESOLVE_SECONDS <= elapsed < RESOLVE_SECONDS + 0.5, elapsed
