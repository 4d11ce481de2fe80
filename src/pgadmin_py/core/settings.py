"""Every setting pgadmin-py reads, parsed from the environment in one place.

``Settings.from_env`` collects *all* problems before failing, so a user fixing a compose file sees
every wrong variable at once, each with what was expected.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from pgadmin_py.core.dburl import DatabaseUrl, InvalidDatabaseUrl
from pgadmin_py.core.errors import ConfigError
from pgadmin_py.core.hosts import parse_allowed_host

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR"}
# The service names compose files give PostgreSQL, probed on 5432 when nothing else names a server (in a container).
COMPOSE_CANDIDATES = ("postgres", "db", "database")
ALEMBIC_INI_CANDIDATES = ("alembic.ini", "migrations/alembic.ini", "db/alembic.ini", "app/alembic.ini",
                          "src/alembic.ini", "backend/alembic.ini")


@dataclass(frozen=True, slots=True)
class Settings:
    """The server's configuration. Built once at start and handed to ``create_app``."""

    database_url: DatabaseUrl | None = None
    sqlalchemy_base: str | None = None
    sqlalchemy_models: tuple[str, ...] = ()
    alembic_config: Path | None = None
    alembic_section: str = "alembic"
    alembic_python: str | None = None
    migrate_command: str | None = None
    project_dir: Path = field(default_factory=Path.cwd)
    host: str = "127.0.0.1"
    port: int = 3000
    allowed_hosts: tuple[str, ...] = ()  # names the server answers to besides loopback and HOST (core/hosts.py)
    read_only: bool = False
    auth_password: str | None = None
    auth_disabled: bool = False
    secret_key: str | None = None
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    backup_dir: Path = field(default_factory=lambda: default_data_dir() / "backups")
    backup_keep: int = 10  # newest backups kept per database
    backup_max_mb: int = 5000  # size budget of the backup directory (the newest of each database always stays)
    statement_timeout_ms: int = 30_000
    migration_lock_timeout_ms: int = 5_000  # lock_timeout of every connection a migration run opens; 0: none
    rehearsal_sample_above_mb: int = 1024  # a rehearsal copies tables above this (in a database above it) as samples
    rehearsal_sample_rows: int = 10_000  # rows per sampled table
    cookie_secure: bool = False
    log_level: str = "INFO"
    demo: bool = False
    in_container: bool = False  # PGADMIN_PY_IN_CONTAINER=1, set by our image (/.dockerenv is on CI machines too)
    discover_hosts: tuple[str, ...] = ()  # host[:port] probed when nothing names a server (DISCOVER_HOSTS)

    @property
    def listens_on_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def with_database(self, url: DatabaseUrl, **changes: object) -> Settings:
        """A copy pointing at ``url`` (used when the embedded server or the demo fills the gaps)."""
        return replace(self, database_url=url, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *,
                 parse_url: Callable[[str], DatabaseUrl]) -> Settings:
        """Parse the environment; raise :class:`ConfigError` listing every invalid variable.

        ``parse_url`` reads ``DATABASE_URL`` by libpq's rules (``pgadmin_py.db.conninfo.parse_database_url``:
        it needs psycopg, and ``core/`` imports the standard library only)."""
        env = os.environ if env is None else env
        problems: list[str] = []

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def flag(name: str) -> bool:
            raw = env.get(name, "").strip().lower()
            if raw in _TRUE:
                return True
            if raw not in _FALSE:
                problems.append(f"{name}={env[name]!r} is not a yes/no value; use 1/true/yes/on or 0/false/no/off")
            return False

        def integer(name: str, default: int, low: int, high: int) -> int:
            raw = text(name)
            if raw is None:
                return default
            if not raw.isdigit() or not low <= int(raw) <= high:
                problems.append(f"{name}={raw!r} must be a whole number from {low} to {high}")
                return default
            return int(raw)

        def duration_ms(name: str, default: int, high: int) -> int:
            raw = text(name)
            if raw is None:
                return default
            value = parse_duration_ms(raw)
            if value is None or not 0 <= value <= high:
                problems.append(f"{name}={raw!r} must be a duration such as 5s, 1500ms or 0 (off), at most "
                                f"{high // 1000} s")
                return default
            return value

        project_dir = Path(text("PROJECT_DIR") or Path.cwd()).expanduser().resolve()
        if not project_dir.is_dir():
            problems.append(f"PROJECT_DIR={str(project_dir)!r} is not a directory")

        database_url = None
        if (raw_url := text("DATABASE_URL")) is not None:
            try:
                database_url = parse_url(raw_url)
            except InvalidDatabaseUrl as exc:
                problems.append(f"DATABASE_URL is invalid: {exc}")

        base = text("SQLALCHEMY_BASE")
        if base is not None and not _SPEC.match(base):
            problems.append(
                f"SQLALCHEMY_BASE={base!r} must be 'module:attribute', e.g. app.models:Base or app.db:db"
            )
        models = tuple(m.strip() for m in (text("SQLALCHEMY_MODELS") or "").split(",") if m.strip())
        for module in models:
            if not re.match(r"^[A-Za-z_][\w.]*$", module):
                problems.append(f"SQLALCHEMY_MODELS item {module!r} is not a module name like app.models.users")

        alembic_config = None
        if (raw_ini := text("ALEMBIC_CONFIG")) is not None:
            alembic_config = (project_dir / raw_ini).expanduser().resolve()
            if not alembic_config.is_file():
                problems.append(
                    f"ALEMBIC_CONFIG={raw_ini!r}: no such file ({alembic_config}); point it at your alembic.ini"
                )
        elif project_dir.is_dir():
            alembic_config = discover_alembic_ini(project_dir)

        host = text("HOST") or "127.0.0.1"
        if host != "localhost" and not _valid_host(host):
            problems.append(f"HOST={host!r} is not an IP address or host name; e.g. 127.0.0.1 or 0.0.0.0")
        port = integer("PORT", 3000, 1, 65535)
        allowed_hosts: list[str] = []
        for item in (text("ALLOWED_HOSTS") or "").split(","):
            if not item.strip():
                continue
            try:
                allowed_hosts.append(parse_allowed_host(item))
            except ValueError as exc:
                problems.append(f"ALLOWED_HOSTS item {exc}")

        data_dir = Path(text("DATA_DIR") or default_data_dir()).expanduser().resolve()
        backup_dir = Path(text("BACKUP_DIR") or data_dir / "backups").expanduser().resolve()
        for name, path in (("DATA_DIR", data_dir), ("BACKUP_DIR", backup_dir)):
            if path.exists() and not path.is_dir():
                problems.append(f"{name}={str(path)!r} exists and is not a directory")

        raw_level = text("LOG_LEVEL") or "INFO"
        level = raw_level.upper()
        if level not in _LOG_LEVELS:
            problems.append(f"LOG_LEVEL={raw_level!r} must be one of {', '.join(sorted(_LOG_LEVELS))}")

        in_container = flag("PGADMIN_PY_IN_CONTAINER")
        discover_hosts: tuple[str, ...] = COMPOSE_CANDIDATES if in_container else ()
        if (raw_discover := text("DISCOVER_HOSTS")) is not None:
            discover_hosts = () if raw_discover.lower() in _FALSE | {"none"} else tuple(
                h.strip() for h in raw_discover.split(",") if h.strip())
            for item in discover_hosts:
                name, _, number = item.rpartition(":") if ":" in item else (item, "", "")
                if not _valid_host(name) or (number and not (number.isdigit() and 0 < int(number) < 65536)):
                    problems.append(f"DISCOVER_HOSTS item {item!r} is not host or host:port, e.g. db or db:5432")

        secret = text("SECRET_KEY")
        if secret is not None and len(secret) < 16:
            problems.append("SECRET_KEY is too short: use at least 16 random characters")

        settings = cls(
            database_url=database_url,
            sqlalchemy_base=base,
            sqlalchemy_models=models,
            alembic_config=alembic_config,
            alembic_section=text("ALEMBIC_SECTION") or "alembic",
            alembic_python=text("ALEMBIC_PYTHON"),
            migrate_command=text("MIGRATE_COMMAND"),
            project_dir=project_dir,
            host=host,
            port=port,
            allowed_hosts=tuple(dict.fromkeys(allowed_hosts)),
            read_only=flag("READ_ONLY"),
            auth_password=text("AUTH_PASSWORD"),
            auth_disabled=flag("AUTH_DISABLED"),
            secret_key=secret,
            data_dir=data_dir,
            backup_dir=backup_dir,
            backup_keep=integer("BACKUP_KEEP", 10, 1, 100_000),
            backup_max_mb=integer("BACKUP_MAX_MB", 5000, 1, 100_000_000),
            statement_timeout_ms=integer("STATEMENT_TIMEOUT_MS", 30_000, 100, 3_600_000),
            migration_lock_timeout_ms=duration_ms("MIGRATION_LOCK_TIMEOUT", 5_000, 3_600_000),
            rehearsal_sample_above_mb=integer("REHEARSAL_SAMPLE_ABOVE_MB", 1024, 0, 100_000_000),
            rehearsal_sample_rows=integer("REHEARSAL_SAMPLE_ROWS", 10_000, 1, 100_000_000),
            cookie_secure=flag("COOKIE_SECURE"),
            log_level=level,
            in_container=in_container,
            discover_hosts=discover_hosts,
        )
        if settings.auth_password and settings.auth_disabled:
            problems.append("AUTH_PASSWORD and AUTH_DISABLED=1 contradict each other; set only one")
        if problems:
            raise ConfigError(problems)
        return settings


def parse_duration_ms(raw: str) -> int | None:
    """``5s`` / ``1500ms`` / ``2min`` / ``5`` (seconds) / ``0`` -> milliseconds; None when it is not one."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|min)?\s*", raw)
    if match is None:
        return None
    factor = {"ms": 1, "s": 1000, "min": 60_000, None: 1000}[match.group(2)]
    return round(float(match.group(1)) * factor)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(re.match(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$", host))
    return True


def default_data_dir() -> Path:
    """Where run history, backups and the embedded server live when DATA_DIR is not set: the platform's
    per-user data directory (``~/.local/share/pgadmin-py``
    on Linux, ``~/Library/Application Support/pgadmin-py`` on macOS, ``%LOCALAPPDATA%\\pgadmin-py`` on
    Windows). Never the directory the server starts from: that is usually the user's git checkout, where
    a database dump could be committed by ``git add -A``. (The image sets ``DATA_DIR=/data``, its volume:
    a marker such as ``/.dockerenv`` would also match the machines developers and CI run in.)"""
    return platformdirs.user_data_path("pgadmin-py", appauthor=False)


def discover_alembic_ini(project_dir: Path) -> Path | None:
    """The project's alembic.ini in the usual places, or None."""
    for candidate in ALEMBIC_INI_CANDIDATES:
        path = project_dir / candidate
        if path.is_file():
            return path.resolve()
    return None
