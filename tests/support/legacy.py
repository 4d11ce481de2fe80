"""A real virtualenv with SQLAlchemy 1.4, Alembic < 1.13, Flask-SQLAlchemy 2.x, Flask-Migrate and psycopg2 only:
the environment of an older project. Built once under ``.venv-fixtures/`` (pip's cache makes it quick) and
reused; its requirements are in the directory name, so changing them builds a new one."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SA14_REQUIREMENTS = ("sqlalchemy<2", "alembic<1.13", "psycopg2-binary", "flask<2.3", "werkzeug<3",
                     "flask-sqlalchemy<3", "flask-migrate<4")


def sa14_python() -> str:
    """The interpreter of the SQLAlchemy 1.4 environment, creating it on first use."""
    digest = hashlib.sha256(" ".join(SA14_REQUIREMENTS).encode()).hexdigest()[:8]
    venv = ROOT / ".venv-fixtures" / f"sa14-{digest}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").is_file():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *SA14_REQUIREMENTS], check=True,
                       capture_output=True, timeout=600)
        (venv / ".complete").touch()
    return str(python)
