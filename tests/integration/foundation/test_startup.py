"""What a user sees in the terminal when pgadmin-py starts: the report, and clear refusals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.demo import bootstrap as demo


def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in (
        "DATABASE_URL", "SQLALCHEMY_BASE", "ALEMBIC_CONFIG", "READ_ONLY", "AUTH_PASSWORD", "HOST", "PORT")}
    return subprocess.run([sys.executable, "-m", "pgadmin_py", *(args or ("check",))], env={**clean, **env},
                          capture_output=True, text=True, timeout=timeout)


def with_password(url: DatabaseUrl, password: str) -> str:
    """The same server with a password in the URL (trust auth ignores it; the report must hide it)."""
    return url.libpq().replace(f"{url.username}@", f"{url.username}:{password}@", 1)


def test_report_names_everything_and_never_the_password(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    engine = create_engine(demo_db.sqlalchemy())
    with engine.connect() as conn:
        version = conn.execute(text("show server_version")).scalar_one()
    engine.dispose()
    secret = "Sup3r-Secret-pw"
    result = run_cli({"DATABASE_URL": with_password(demo_db, secret), "SQLALCHEMY_BASE": demo.MODELS_SPEC,
                      "ALEMBIC_CONFIG": str(demo.ALEMBIC_INI), "PROJECT_DIR": str(tmp_path), "PORT": "3123"})
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert secret not in out
    assert "pgadmin-py " in out
    assert f"{demo_db.username}@{demo_db.host}:{demo_db.port}/{demo_db.database}" in out
    assert f"PostgreSQL {version}" in out
    assert "7 models, 8 tables from pgadmin_py.demo.models:Base" in out
    assert f"current {demo.SEEDED_REVISION}, 2 pending" in out
    assert "http://127.0.0.1:3123/" in out


def test_invalid_database_url_is_refused_with_a_fix(tmp_path: Path) -> None:
    result = run_cli({"DATABASE_URL": "mysql://root:pw@db/shop", "PROJECT_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "DATABASE_URL is invalid: the scheme 'mysql' is not PostgreSQL" in result.stderr
    assert "postgresql://user:password@host:5432/dbname" in result.stderr
    assert "Traceback" not in result.stderr and "pw@" not in result.stderr


def test_bad_sqlalchemy_base_format_is_refused(tmp_path: Path, demo_db: DatabaseUrl) -> None:
    result = run_cli({"DATABASE_URL": demo_db.libpq(), "SQLALCHEMY_BASE": "app/models.py",
                      "PROJECT_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "SQLALCHEMY_BASE='app/models.py' must be 'module:attribute', e.g. app.models:Base" in result.stderr


def test_missing_models_module_is_reported_not_fatal(tmp_path: Path, demo_db: DatabaseUrl) -> None:
    result = run_cli({"DATABASE_URL": demo_db.libpq(), "SQLALCHEMY_BASE": "shop.models:Base",
                      "PROJECT_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "import of shop.models:Base failed: No module named 'shop'" in result.stdout
    assert "PYTHONPATH" in result.stdout


def test_unreachable_database_is_reported_as_waiting(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_cli({"DATABASE_URL": f"postgresql://app:hidden@127.0.0.1:{port}/shop",
                      "PROJECT_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "waiting:" in result.stdout and "retrying in the background" in result.stdout
    assert "hidden" not in result.stdout + result.stderr
