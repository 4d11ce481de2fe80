"""The URL handed to the project's Alembic names a driver that the project's SQLAlchemy can load, decided in the
project's interpreter: never psycopg 3 for SQLAlchemy 1.4 (it has no such dialect), never a driver not installed."""

from __future__ import annotations

import json
import subprocess
import sys

from pgadmin_py.migrations.runner import CHILD_SCRIPT
from support.projects import fixture_python

URL = "postgresql://app@db:5432/shop"
ASYNC_ENV = "connectable = async_engine_from_config(...)"


def choose(python: str, ini_url: str | None, env_source: str) -> str:
    code = (f"import sys; sys.path.insert(0, {str(CHILD_SCRIPT.parent)!r}); import child, json; "
            f"print(child.choose_url({URL!r}, json.loads(sys.argv[1]), sys.argv[2]))")
    result = subprocess.run([python, "-c", code, json.dumps(ini_url), env_source], capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout.strip()


def test_sqlalchemy_2_with_psycopg_3_only() -> None:
    """Ours: SQLAlchemy 2.1 (postgresql:// means psycopg 3 there) with psycopg 3 and no psycopg2."""
    assert choose(sys.executable, None, "") == URL  # SQLAlchemy's own default loads: no rewrite
    assert choose(sys.executable, "postgresql+psycopg2://localhost/dev", "") == URL  # psycopg2 is not installed
    assert choose(sys.executable, None, ASYNC_ENV) == "postgresql+psycopg://app@db:5432/shop"
    assert choose(sys.executable, "postgresql+psycopg://localhost/dev", "") == "postgresql+psycopg://app@db:5432/shop"


def test_sqlalchemy_1_4_with_psycopg2_only() -> None:
    """The sa14 fixture's venv: SQLAlchemy 1.4 has no psycopg 3 dialect at all; psycopg2 is its default."""
    python = fixture_python("sa14")
    assert choose(python, None, "") == URL
    assert choose(python, "postgresql+psycopg://localhost/dev", "") == URL  # no such dialect in 1.4
    assert choose(python, "postgresql+psycopg2://localhost/dev", "") == "postgresql+psycopg2://app@db:5432/shop"
