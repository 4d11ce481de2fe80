"""Every connection string psql accepts starts pgadmin-py, and its migrations, backups and children work with it.

Real PostgreSQL throughout, compared with psql itself where psql is installed: a Unix socket
(``postgresql:///db?host=/var/run/postgresql``), several hosts where the first is down, ``?sslmode=``,
keyword/value strings, a service from a service file, a password only in ``.pgpass`` (on a throwaway server that
really checks passwords), and libpq's environment (``PGHOST``..., ``PGSERVICE``) with DATABASE_URL unset.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.demo import bootstrap as demo
from support.liveserver import Server

_PG_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGPASSFILE",
                 "PGSERVICEFILE", "PGSSLMODE", "PGSYSCONFDIR")
_OURS = ("DATABASE_URL", "SQLALCHEMY_BASE", "ALEMBIC_CONFIG", "READ_ONLY", "AUTH_PASSWORD", "HOST", "PORT",
         "DISCOVER_HOSTS", "PGADMIN_PY_IN_CONTAINER", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")


def clean_env(**extra: str) -> dict[str, str]:
    """The test runner's environment without any setting of ours or of libpq's, plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if k not in _OURS + _PG_VARIABLES}, **extra}


def run_cli(env: dict[str, str], *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pgadmin_py", *(args or ("check",))], env=clean_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def psql_accepts(conninfo: str, env: dict[str, str]) -> bool | None:
    """Whether psql connects with ``conninfo`` (None when psql is not installed)."""
    psql = shutil.which("psql")
    if psql is None:
        return None
    done = subprocess.run([psql, "-X", "-w", "-Atc", "select 1", conninfo], env=clean_env(**env),
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0 and done.stdout.strip() == "1"


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def socket_dir(server: DatabaseUrl) -> str | None:
    """A Unix-socket directory of the test server that this machine can reach, or None."""
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        row = conn.execute("select setting from pg_settings where name = 'unix_socket_directories'").fetchone()
        port = conn.execute("show port").fetchone()
    for directory in (row[0] if row else "").split(","):
        directory = directory.strip()
        if directory.startswith("/") and port and Path(directory, f".s.PGSQL.{port[0]}").exists():
            return directory
    return None


def demo_project(tmp_path: Path) -> dict[str, str]:
    return {"SQLALCHEMY_BASE": demo.MODELS_SPEC, "ALEMBIC_CONFIG": str(demo.ALEMBIC_INI), "PROJECT_DIR": str(tmp_path),
            "DATA_DIR": str(tmp_path / "data")}


def service_file(path: Path, name: str, url: DatabaseUrl) -> Path:
    keys = {k: v for k, v in url.params if k in ("host", "port", "user", "dbname")}
    path.write_text(f"[{name}]\n" + "".join(f"{k}={v}\n" for k, v in keys.items()))
    return path


# name -> builds (DATABASE_URL or None, extra environment) from the demo database and a scratch directory
Form = Callable[[DatabaseUrl, Path], tuple[str | None, dict[str, str]]]


def _socket(db: DatabaseUrl, _: Path) -> tuple[str | None, dict[str, str]]:
    directory = socket_dir(db)
    if directory is None:
        pytest.skip("the test server has no Unix socket this machine can reach (the embedded one listens on TCP only)")
    # no user in the URL: libpq takes PGUSER, as psql does
    return f"postgresql:///{db.database}?host={directory}&port={db.port}", {"PGUSER": db.username or ""}


def _socket_with_user(db: DatabaseUrl, _: Path) -> tuple[str | None, dict[str, str]]:
    directory = socket_dir(db)
    if directory is None:
        pytest.skip("the test server has no Unix socket this machine can reach (the embedded one listens on TCP only)")
    return f"postgresql://{db.username}@/{db.database}?host={directory}&port={db.port}", {}


FORMS: dict[str, Form] = {
    "unix-socket": _socket,
    "unix-socket-user": _socket_with_user,
    "multi-host-first-down": lambda db, _: (
        f"postgresql://{db.username}@127.0.0.1:{dead_port()},{db.host}:{db.port}/{db.database}", {}),
    "sslmode-disable": lambda db, _: (
        f"postgresql://{db.username}@{db.host}:{db.port}/{db.database}?sslmode=disable&connect_timeout=5", {}),
    "keyword-value": lambda db, _: (f"host={db.host} port={db.port} user={db.username} dbname={db.database}", {}),
    "service-in-url": lambda db, tmp: ("postgresql://?service=pgadmin_test", {
        "PGSERVICEFILE": str(service_file(tmp / "svc.conf", "pgadmin_test", db))}),
    "libpq-environment": lambda db, _: (None, {"PGHOST": db.host or "", "PGPORT": str(db.port),
                                               "PGUSER": db.username or "", "PGDATABASE": db.database}),
    "pgservice-environment": lambda db, tmp: (None, {
        "PGSERVICE": "pgadmin_test", "PGSERVICEFILE": str(service_file(tmp / "svc.conf", "pgadmin_test", db))}),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_form_psql_accepts_starts_pgadmin(form: str, demo_db: DatabaseUrl, tmp_path: Path) -> None:
    url, env = FORMS[form](demo_db, tmp_path)
    if url is not None:
        env["DATABASE_URL"] = url
    assert psql_accepts(url or "", env) is not False, f"psql itself refuses {url!r} with {env}"
    result = run_cli({**demo_project(tmp_path), **env})
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out and "[embedded]" not in out
    assert "(PostgreSQL " in out and f"current {demo.SEEDED_REVISION}, 2 pending" in out, out
    assert "7 models, 8 tables from pgadmin_py.demo.models:Base" in out
    found = next(line for line in out.splitlines() if line.strip().startswith("found"))
    assert ("libpq environment" if url is None else "DATABASE_URL") in found


LINEAR = Path(__file__).resolve().parents[2] / "fixtures" / "alembic" / "linear"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def upgrade_heads(server: Server) -> str:
    """Apply every pending revision through the real server; the run page's text once it has finished."""
    started = server.post_form("/migrations/apply", {"action": "upgrade", "target": "heads"})
    assert started.status_code == 303, text_of(started.text)[-800:]
    run = started.headers["location"]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page = server.http.get(run).text
        status = re.search(r'data-testid="run-status">(.*?)</dd>', page, re.DOTALL)
        if status and "running" not in text_of(status.group(1)):
            return text_of(page)
        time.sleep(0.2)
    raise AssertionError(f"the run did not finish in 90 s: {text_of(page)[-1500:]}")


@pytest.mark.parametrize("form", ["unix-socket", "multi-host-first-down", "service-in-url", "pgservice-environment"])
def test_migrations_backups_and_children_work_with_the_form(form: str, demo_db: DatabaseUrl, tmp_path: Path) -> None:
    """An upgrade runs pg_dump (the backup), the guard (the lock) and the Alembic child, each given the connection
    through its environment only; all of them must reach the same database."""
    url, env = FORMS[form](demo_db, tmp_path)
    server = Server({**demo_project(tmp_path), **env, **({"DATABASE_URL": url} if url else {})},
                    tmp_path / "server.log", base=clean_env())
    try:
        page = upgrade_heads(server)
        assert "succeeded" in page, page[-2000:] + (tmp_path / "server.log").read_text()[-2000:]
    finally:
        server.stop()
    backups = list((tmp_path / "data" / "backups").glob("*.dump"))
    assert backups and backups[0].stat().st_size > 0
    assert backups[0].name.startswith(f"{demo_db.database}-")  # named after the database, even via a service
    with psycopg.connect(demo_db.conninfo()) as conn:
        heads = conn.execute("select version_num from alembic_version").fetchall()
    assert len(heads) == 1 and heads[0][0] != demo.SEEDED_REVISION


def test_a_password_only_in_pgpass_is_read_by_libpq_for_every_process(password_server: Any, tmp_path: Path) -> None:
    """The server checks passwords (scram); DATABASE_URL has none, and names two hosts, the first one down;
    ~/.pgpass (PGPASSFILE) has the password for the second. libpq reads it in our process, in pg_dump and in the
    Alembic child: pgadmin-py never copies it anywhere."""
    ps = password_server
    url = f"postgresql://{ps.user}@127.0.0.1:{dead_port()},{ps.host}:{ps.port}/{ps.database}"
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{ps.host}:{ps.port}:*:{ps.user}:{ps.password}\n")
    pgpass.chmod(0o600)
    assert psql_accepts(url, {}) is not True, "the throwaway server must refuse a login without a password"
    assert psql_accepts(url, {"PGPASSFILE": str(pgpass)}) is not False

    refused = run_cli({"DATABASE_URL": url, "PROJECT_DIR": str(tmp_path), "DATA_DIR": str(tmp_path / "d")})
    assert refused.returncode == 1 and "password" in refused.stdout, refused.stdout + refused.stderr

    started = run_cli({"DATABASE_URL": url, "PGPASSFILE": str(pgpass), "PROJECT_DIR": str(tmp_path),
                       "DATA_DIR": str(tmp_path / "d")})
    out = started.stdout + started.stderr
    assert started.returncode == 0, out
    assert f"-> {ps.user}@{ps.host}:{ps.port}/{ps.database}" in out  # where libpq connected
    assert ps.password not in out

    server = Server({"DATABASE_URL": url, "ALEMBIC_CONFIG": str(LINEAR / "alembic.ini"),
                     "PROJECT_DIR": str(LINEAR), "DATA_DIR": str(tmp_path / "run"), "PGPASSFILE": str(pgpass)},
                    tmp_path / "server.log", base=clean_env())
    try:
        page = upgrade_heads(server)
        assert "succeeded" in page, page[-2000:] + (tmp_path / "server.log").read_text()[-2000:]
        assert ps.password not in page
    finally:
        server.stop()
    assert list((tmp_path / "run" / "backups").glob("*.dump")), "pg_dump found the password in .pgpass too"
    assert ps.password not in (tmp_path / "server.log").read_text()


def test_a_bad_url_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    for url, words in (("postgresql://app:hunter2@db:notaport/shop", "the port 'notaport' is not a number"),
                       ("postgresql://app:hunter2@db/shop?sslmod=require", 'invalid URI query parameter: "sslmod"'),
                       ("db:5432/shop", "neither a postgresql:// URL nor keyword=value pairs")):
        result = run_cli({"DATABASE_URL": url, "PROJECT_DIR": str(tmp_path)})
        assert result.returncode == 2, result.stdout + result.stderr
        assert words in result.stderr and "Traceback" not in result.stderr
        assert "hunter2" not in result.stdout + result.stderr
