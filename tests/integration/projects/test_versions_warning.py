"""The startup report says when the project's SQLAlchemy or Alembic differ from pgadmin-py's, and when pgadmin-py
shares the project's environment (where installing it may have upgraded them): the project probe runs in the
project's interpreter and reports its versions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl

LINEAR = Path(__file__).resolve().parents[2] / "fixtures" / "alembic" / "linear"


def check(project: Path, url: DatabaseUrl) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ALEMBIC_CONFIG", "SQLALCHEMY_BASE",
                                                             "ALEMBIC_PYTHON")}
    done = subprocess.run([sys.executable, "-m", "pgadmin_py", "check"], cwd=project, capture_output=True, text=True,
                          env={**env, "DATABASE_URL": url.libpq(), "PROJECT_DIR": str(project),
                               "DATA_DIR": str(project.parent / "data")}, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return next((line for line in done.stdout.splitlines() if line.strip().startswith("versions")), "")


def test_a_project_on_sqlalchemy_14_is_named_in_the_report(project_copy: Callable[[str], Path],
                                                           fresh_db: Callable[[], DatabaseUrl]) -> None:
    line = check(project_copy("sa14"), fresh_db())
    ours = metadata.version("sqlalchemy")
    assert f"SQLAlchemy 1.4.54 (pgadmin-py: {ours})" in line, line
    assert f"Alembic 1.12.1 (pgadmin-py: {metadata.version('alembic')})" in line
    assert "nothing of the project's environment was changed" in line


def test_pgadmin_in_the_projects_own_environment_is_warned_about(tmp_path: Path,
                                                                fresh_db: Callable[[], DatabaseUrl]) -> None:
    project = copy_fixture_dir(LINEAR, tmp_path / "app")
    (project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # pip install pgadmin-py in there
    line = check(project, fresh_db())
    assert "pgadmin-py is installed in the project's own environment" in line, line
    assert "pipx or uvx" in line


def copy_fixture_dir(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    return dest
