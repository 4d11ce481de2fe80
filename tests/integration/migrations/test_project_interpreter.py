"""The project's own interpreter runs everything of the project (probe, previews, runs), with no setting when the
project has a ``.venv``; the startup report and the migrations page say which one and why. Every child gets the
project directory as its working directory and the user's environment, never the ini's directory first on sys.path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mig_support import FIXTURES, start_run, text_of, wait_run, with_sql

from pgadmin_py.core.dburl import DatabaseUrl

MARKER = 'import sys as _s; print("env.py interpreter prefix:", _s.prefix, file=_s.stderr)\n'


@pytest.fixture
def venv_project(tmp_path: Path) -> Path:
    """The linear fixture with a real virtualenv in ``.venv`` (sharing our packages through a .pth file, so it is
    quick to make: ours is itself a venv, which --system-site-packages would not see) and an env.py that says
    which interpreter runs it."""
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "linear", project)
    env_py = project / "migrations" / "env.py"
    env_py.write_text(MARKER + env_py.read_text())
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "pgadmin_py_test_shared.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")))
    return project


def client_for(project: Path, url: DatabaseUrl, data: Path, **extra: str) -> Any:
    from support.web import make_client

    return make_client({"DATABASE_URL": url.libpq(), "PROJECT_DIR": str(project), "DATA_DIR": str(data), **extra})


def test_a_project_venv_runs_everything_without_a_setting(venv_project: Path, empty_db: DatabaseUrl,
                                                          tmp_path: Path) -> None:
    venv_python = venv_project / ".venv" / "bin" / "python"
    with client_for(venv_project, empty_db, tmp_path / "data") as client:
        words = text_of(client.get("/migrations").text)
        assert f"Alembic in the project's interpreter {venv_python}" in words
        assert "the virtualenv .venv/ in the project directory" in words
        assert "set ALEMBIC_PYTHON or MIGRATE_COMMAND" not in words  # nothing to fix
        assert "CREATE TABLE items" in text_of(with_sql(client, "/migrations/a1000000000a"))
        run = text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
        assert "succeeded" in run and f"env.py interpreter prefix: {venv_project / '.venv'}" in run


def test_startup_report_names_the_interpreter_and_why(venv_project: Path, empty_db: DatabaseUrl,
                                                      tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ALEMBIC_CONFIG", "ALEMBIC_PYTHON")}
    env = {**clean, "DATABASE_URL": empty_db.libpq(), "PROJECT_DIR": str(venv_project),
           "DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "pgadmin_py", "check"], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"{venv_project / '.venv' / 'bin' / 'python'} (the virtualenv .venv/ in the project directory)" in out
    assert "3 revisions, current none (empty database), 3 pending" in out
    alone = subprocess.run([sys.executable, "-m", "pgadmin_py", "check"], env={**env, "PROJECT_DIR": str(tmp_path)},
                           capture_output=True, text=True, timeout=120, check=False)
    assert "no virtualenv found in the project directory" in alone.stdout + alone.stderr


def test_alembic_python_wins_and_a_broken_one_is_a_message(venv_project: Path, empty_db: DatabaseUrl,
                                                           tmp_path: Path) -> None:
    with client_for(venv_project, empty_db, tmp_path / "data", ALEMBIC_PYTHON=sys.executable) as client:
        words = text_of(client.get("/migrations").text)
        assert f"Alembic in the project's interpreter {sys.executable}" in words and "ALEMBIC_PYTHON is set" in words
    missing = str(tmp_path / "no" / "python")
    with client_for(venv_project, empty_db, tmp_path / "data2", ALEMBIC_PYTHON=missing) as client:
        page = client.get("/migrations")
        assert page.status_code == 200
        words = text_of(page.text)
        assert f"Cannot start the project's interpreter {missing}" in words and "ALEMBIC_PYTHON" in words


def test_the_ini_directory_never_shadows_the_standard_library(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    """A ``types.py`` and a ``logging/`` package beside alembic.ini: the old runner put that directory first on
    PYTHONPATH and Python itself could not start. Now the project runs as Alembic's CLI would run it."""
    project = tmp_path / "proj"
    shutil.copytree(FIXTURES / "linear", project / "app" / "db")
    (project / "app" / "__init__.py").write_text("")
    (project / "app" / "db" / "types.py").write_text("raise RuntimeError('the project shadowed types')\n")
    (project / "app" / "db" / "logging").mkdir()
    (project / "app" / "db" / "logging" / "__init__.py").write_text("raise RuntimeError('shadowed logging')\n")
    with client_for(project, empty_db, tmp_path / "data", ALEMBIC_CONFIG="app/db/alembic.ini") as client:
        revision = text_of(with_sql(client, "/migrations/a1000000000a"))
        assert "CREATE TABLE items" in revision and "shadowed" not in revision
        run = text_of(wait_run(client, start_run(client, "upgrade", "heads", backup="off")))
        assert "succeeded" in run, run[-2000:]
