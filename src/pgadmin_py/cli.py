"""The ``pgadmin-py`` command: read settings, start the embedded server if needed, report, serve."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from secrets import token_hex
from typing import TYPE_CHECKING

from pgadmin_py import __version__
from pgadmin_py.core.dburl import DatabaseUrl, InvalidDatabaseUrl
from pgadmin_py.core.errors import AppError, ConfigError
from pgadmin_py.core.logging import configure_logging
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.db.discovery import Located, describe_failure, locate, try_connect
from pgadmin_py.db.embedded import EmbeddedPostgres, require_embedded_support

if TYPE_CHECKING:
    from pgadmin_py.migrations.project import AlembicProject
    from pgadmin_py.migrations.service import MigrationsService
    from pgadmin_py.orm.models import ModelFacts

log = logging.getLogger("pgadmin_py")
STARTUP_MODELS_WAIT_SECONDS = 30.0  # the report waits this long for the models probe, then says "still reading"
DEMO_DATABASE = "pgadmin_demo"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pgadmin-py", description="PostgreSQL admin for Python developers.")
    parser.add_argument("--version", action="version", version=f"pgadmin-py {__version__}")
    sub = parser.add_subparsers(dest="command")
    for name, text in (("serve", "serve the web app (the default)"),
                       ("check", "check the configuration and the database, print the report, exit"),
                       ("healthcheck", "exit 0 when the server on HOST:PORT answers /healthz (a container's probe)")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--host", help="listen address (env HOST, default 127.0.0.1)")
        cmd.add_argument("--port", type=int, help="listen port (env PORT, default 3000)")
    return parser


def start_embedded(settings: Settings) -> tuple[Settings, EmbeddedPostgres]:
    """Start the embedded server and load the bundled demo into it; return settings pointing there."""
    from sqlalchemy import create_engine, text

    from pgadmin_py.demo import bootstrap as demo

    require_embedded_support()
    server = EmbeddedPostgres(settings.data_dir / "postgres")
    admin_url = server.start()
    engine = create_engine(admin_url.sqlalchemy(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("select 1 from pg_database where datname = :d"), {"d": DEMO_DATABASE}).first():
            conn.execute(text(f'create database "{DEMO_DATABASE}"'))
    engine.dispose()
    url = admin_url.with_database(DEMO_DATABASE)
    if demo.prepare(url.libpq()):
        log.info("Loaded the demo project into the embedded database %s", DEMO_DATABASE)
    return replace(
        settings, database_url=url, demo=True,
        sqlalchemy_base=settings.sqlalchemy_base or demo.MODELS_SPEC,
        alembic_config=settings.alembic_config or demo.ALEMBIC_INI,
    ), server


def startup_report(settings: Settings, *, server_version: str | None, waiting_error: str | None,
                   model_line: str, alembic_line: str, auth_line: str, url: str, python_line: str = "",
                   found_line: str = "", versions_line: str = "", where: str = "") -> str:
    """What the server found, one line each. The connection never shows a password: the label has none, and
    ``where`` (what libpq resolved a service, a socket or several hosts to) comes from the live connection."""
    assert settings.database_url is not None
    label = settings.database_url.label()
    if where and settings.database_url.leaves_to_libpq:
        label = f"{label} -> {where}"
    if server_version:
        db = f"{label} (PostgreSQL {server_version})"
    else:
        db = f"{label} (waiting: {waiting_error}; retrying in the background)"
    rows = [
        ("database", db + (" [embedded]" if settings.demo else "")),
        *([("found", found_line)] if found_line else []),
        ("models", model_line),
        ("alembic", alembic_line),
        *([("python", python_line)] if python_line else []),
        *([("versions", versions_line)] if versions_line else []),
        ("mode", "READ-ONLY (writes refused)" if settings.read_only else "read-write"),
        ("auth", auth_line),
        ("open", url),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join([f"pgadmin-py {__version__}", *(f"  {k.ljust(width)}  {v}" for k, v in rows)])


def _describe(settings: Settings, token: str | None) -> tuple[str, str]:
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    url = f"http://{shown_host}:{settings.port}/"
    if token is None:
        auth = "off" + (" (loopback only)" if settings.listens_on_loopback else " (AUTH_DISABLED=1)")
    elif settings.auth_password:
        auth = "password (AUTH_PASSWORD)"
    else:
        auth = "one-time token (log in with the URL below; set AUTH_PASSWORD for a fixed one)"
        url = f"{url}login?token={token}"
    return auth, url


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    env = dict(os.environ)
    if getattr(args, "host", None):
        env["HOST"] = args.host
    if getattr(args, "port", None):
        env["PORT"] = str(args.port)
    try:
        settings = Settings.from_env(env, parse_url=parse_database_url)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "healthcheck":
        return healthcheck(settings)
    configure_logging(settings.log_level)
    # uvicorn re-raises SIGTERM after its graceful shutdown; turn it into SystemExit so the `finally`
    # below still stops the embedded server (docker stop, systemd, `kill` all send SIGTERM).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    server: EmbeddedPostgres | None = None
    try:
        try:
            located = locate(settings.database_url, settings.discover_hosts, env)
        except InvalidDatabaseUrl as exc:
            print(ConfigError([str(exc)]), file=sys.stderr)
            return 2
        secrets = _Secrets.for_settings(settings)
        settings = replace(settings, database_url=located.url)
        if located.url is None and located.needs_credentials is not None:
            if args.command == "check":
                print(_asking_report(settings, located, secrets, check=True), flush=True)
                return 1
            url = _ask_credentials(settings, located, secrets)
            if url is None:
                return 0
            settings = replace(settings, database_url=url)
        if settings.database_url is None:
            log.info("No database named (%s): starting the embedded PostgreSQL with the demo project", located.how)
            settings, server = start_embedded(settings)
        return _serve(settings, check_only=args.command == "check", found_line=located.how, secrets=secrets)
    except AppError as exc:
        print(f"pgadmin-py cannot start: {exc.detail}\n  {exc.hint or ''}".rstrip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None:
            server.stop()


def healthcheck(settings: Settings, timeout: float = 2.0) -> int:
    """The image's HEALTHCHECK: GET ``/healthz`` where ``serve`` listens with these settings (HOST and PORT;
    loopback for 0.0.0.0 and ::), never through a proxy named in the environment. 0 when it answers 200."""
    import urllib.request

    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.host, settings.host)  # noqa: S104
    url = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}/healthz"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as answer:
            status = int(answer.status)
    except OSError as exc:  # refused, timed out, or an HTTP error status (HTTPError is an OSError)
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    return 0 if status == 200 else 1


@dataclass(frozen=True, slots=True)
class _Secrets:
    """The login token and cookie secret, made once: the credentials page and the real app share them, so a
    login on the first stays valid on the second."""

    token: str | None
    cookie_secret: str

    @classmethod
    def for_settings(cls, settings: Settings) -> _Secrets:
        from pgadmin_py.web.security import access_token_for

        return cls(access_token_for(settings), settings.secret_key or token_hex(32))


def _asking_report(settings: Settings, located: Located, secrets: _Secrets, *, check: bool = False) -> str:
    assert located.needs_credentials is not None
    _, url = _describe(settings, secrets.token)
    rows = [("database", f"{located.needs_credentials.label()} asks for a password"), ("found", located.how),
            ("open", "(pgadmin-py check cannot ask: set DATABASE_URL or POSTGRES_PASSWORD)" if check else
             f"{url} to enter it (kept in memory only; set DATABASE_URL or POSTGRES_PASSWORD to skip this)")]
    width = max(len(k) for k, _ in rows)
    return "\n".join([f"pgadmin-py {__version__}", *(f"  {k.ljust(width)}  {v}" for k, v in rows)])


def _ask_credentials(settings: Settings, located: Located, secrets: _Secrets) -> DatabaseUrl | None:
    """Serve the credentials page until a login works; that URL (its password in memory only), or None when
    the server was stopped first."""
    import uvicorn

    from pgadmin_py.web.credentials import create_credentials_app

    assert located.needs_credentials is not None
    chosen: list[DatabaseUrl] = []
    servers: list[uvicorn.Server] = []

    def attempt(url: DatabaseUrl) -> str | None:
        error = try_connect(url, timeout=5)
        return None if error is None else describe_failure(error)

    def connected(url: DatabaseUrl) -> None:
        chosen.append(url)
        servers[0].should_exit = True  # after this response: uvicorn finishes the requests in flight

    app = create_credentials_app(settings, located.needs_credentials, located.how, attempt=attempt,
                                 on_connected=connected, token=secrets.token, cookie_secret=secrets.cookie_secret)
    servers.append(uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None,
                                                 server_header=False, timeout_graceful_shutdown=5)))
    print(_asking_report(settings, located, secrets), flush=True)
    servers[0].run()
    if chosen:
        log.info("Connected to %s with the credentials from the page", chosen[0].label())
    return chosen[0] if chosen else None


def versions_warning(project: AlembicProject | None) -> str:
    from pgadmin_py.migrations.project import versions_warning as warning

    return warning(project) if project is not None else ""


def _project(migrations: MigrationsService) -> AlembicProject | None:
    try:
        return migrations.project()
    except AppError:
        return None


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _serve(settings: Settings, *, check_only: bool, found_line: str = "", secrets: _Secrets | None = None) -> int:
    import uvicorn

    from pgadmin_py.web.app import build_state, create_app

    secrets = secrets or _Secrets.for_settings(settings)
    state = build_state(settings, access_token=secrets.token, cookie_secret=secrets.cookie_secret)
    up = state.monitor.check_now()
    model_line = _model_line(state.models.wait(STARTUP_MODELS_WAIT_SECONDS))
    if settings.alembic_config is None:
        alembic_line = "no alembic.ini found (set ALEMBIC_CONFIG=path/to/alembic.ini)"
    else:
        alembic_line = str(_short(settings.alembic_config))
        if up:
            summary = state.migrations.summary()
            current = ", ".join(summary.current) or "none (empty database)"
            alembic_line += (f": {summary.problem}" if summary.problem else
                             f": {summary.revision_count} revisions, current {current}, "
                             f"{len(summary.pending)} pending")
    auth, url = _describe(settings, state.access_token)
    python = state.migrations.python
    python_line = f"{python.path} ({python.reason})"
    print(startup_report(settings, server_version=state.monitor.server_version,
                         waiting_error=state.monitor.last_error, model_line=model_line,
                         alembic_line=alembic_line, auth_line=auth, url=url, python_line=python_line,
                         found_line=found_line,
                         versions_line="" if settings.demo else versions_warning(_project(state.migrations)),
                         where=state.monitor.where),
          flush=True)
    if check_only:
        return 0 if up else 1
    uvicorn.run(create_app(settings, state=state), host=settings.host, port=settings.port, log_config=None,
                server_header=False, timeout_graceful_shutdown=5)
    return 0


def _model_line(models: ModelFacts) -> str:
    if models.pending:
        return (f"still being read in the background by {models.python} (the models page shows them when ready)")
    if models.problem is not None:
        return f"import of {models.spec} failed: {models.problem.summary}. {models.problem.hint}"
    if models.spec is None:
        return ("none (set SQLALCHEMY_BASE=module:Base, or ALEMBIC_CONFIG to an alembic.ini whose env.py sets "
                "target_metadata)")
    return f"{models.model_count} models, {models.table_count} tables from {models.spec}"


def _short(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
