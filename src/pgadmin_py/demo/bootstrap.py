"""Bring a fresh database to the demo's starting state: migrated to ``SEEDED_REVISION``, then seeded.

The demo database deliberately stops two revisions short of head, so the migrations screen
has pending work to show and apply.

Alembic runs in a child process, never in the caller's: ``env.py`` is project code (it
imports ``models`` and reads ``DATABASE_URL``), and the app treats every project, even this
bundled one, as code it does not execute in its own interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from .seed import psycopg_conninfo, seed

DEMO_DIR = Path(__file__).resolve().parent
ALEMBIC_INI: Path = DEMO_DIR / "alembic.ini"
# The merge of the tags and payments branches; "add clients.notes" and the payments index stay pending.
SEEDED_REVISION = "7a6c0f9e3b18"
MODELS_SPEC = "pgadmin_py.demo.models:Base"

# Serialises concurrent prepare() calls on one database (two workers starting at once).
_ADVISORY_LOCK_KEY = 0x70676164_6D6F  # "pgadmo"
_ALEMBIC_TIMEOUT_SECONDS = 120
_STDERR_TAIL_LINES = 20


def prepare(database_url: str, python: str = sys.executable) -> bool:
    """Migrate and seed the database at ``database_url`` unless that was already done.

    Returns True if it prepared the database, False if it found an ``alembic_version`` table
    and left the database untouched. ``python`` is the interpreter that runs Alembic; it must
    have alembic, SQLAlchemy and psycopg installed. Raises RuntimeError if Alembic fails.

    "Prepared" means "has an alembic_version table": if seeding fails after a successful
    migration the database stays migrated but empty, and should be dropped and recreated.
    """
    with psycopg.connect(psycopg_conninfo(database_url), autocommit=True) as conn:
        # Session-level lock, released when the connection closes (also on error).
        conn.execute("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_KEY,))
        row = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
        if row is not None and row[0]:
            return False
        _alembic_upgrade(database_url, SEEDED_REVISION, python)
        seed(database_url)
    return True


def _alembic_upgrade(database_url: str, revision: str, python: str) -> None:
    """Run ``alembic upgrade <revision>`` in a child process with ``DATABASE_URL`` set."""
    command = [python, "-m", "alembic", "-c", str(ALEMBIC_INI), "upgrade", revision]
    env = {**os.environ, "DATABASE_URL": database_url}
    try:
        result = subprocess.run(
            command,
            cwd=DEMO_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=_ALEMBIC_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"could not run alembic upgrade {revision} with {python}: {exc}") from exc
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-_STDERR_TAIL_LINES:])
        raise RuntimeError(f"alembic upgrade {revision} failed (exit code {result.returncode}):\n{tail}")
