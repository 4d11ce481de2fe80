"""Alembic environment of the demo brokerage project.

The database comes from ``DATABASE_URL`` (not from alembic.ini) so one configuration serves
the bundled demo, a container and a developer's shell. ``postgresql://`` and
``postgresql+psycopg://`` are both accepted and always run on psycopg 3, the only driver the
demo depends on.

``models.py`` is imported as a top-level ``models`` module from the demo directory, which is
put on ``sys.path`` here: that works the same whether the demo sits inside the installed
``pgadmin_py`` package or is mounted on its own as a user's project, and ``migrations/`` is
not a Python package so there is nothing to import it *from*.
"""

from __future__ import annotations

import importlib
import os
import sys
from logging.config import fileConfig
from pathlib import Path
from types import ModuleType

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEMO_DIR = Path(__file__).resolve().parents[1]

config = context.config
if config.config_file_name is not None:
    # Keep loggers configured by an embedding process (e.g. a test runner) alive.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _load_models() -> ModuleType:
    """Import the demo's ``models.py`` as ``models``, refusing a different module of that name."""
    if str(DEMO_DIR) not in sys.path:
        sys.path.insert(0, str(DEMO_DIR))
    module = importlib.import_module("models")
    loaded_from = Path(module.__file__ or "").resolve()
    if loaded_from != DEMO_DIR / "models.py":
        raise SystemExit(
            f"env.py expected the demo models at {DEMO_DIR / 'models.py'} "
            f"but 'models' was already imported from {loaded_from}"
        )
    return module


target_metadata = _load_models().Base.metadata


def _database_url() -> URL | None:
    """``DATABASE_URL`` with the driver forced to psycopg 3, or None when unset."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise SystemExit(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise SystemExit(
            f"DATABASE_URL must be a PostgreSQL URL (postgresql:// or postgresql+psycopg://), got {url.drivername}://"
        )
    return url.set(drivername="postgresql+psycopg")


def run_migrations_offline() -> None:
    """Emit SQL instead of executing it (``alembic upgrade --sql``).

    No connection is made, so DATABASE_URL is optional here: without it the SQL is simply
    rendered for PostgreSQL.
    """
    url = _database_url()
    context.configure(
        url=url,
        dialect_name=None if url is not None else "postgresql",
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection, all in one transaction (PostgreSQL DDL is transactional)."""
    url = _database_url()
    if url is None:
        raise SystemExit(
            "DATABASE_URL is not set: export it before running alembic, e.g.\n"
            "  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/demo alembic upgrade head"
        )
    # NullPool: a migration run is a one-shot process, pooling would only delay disconnecting.
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
