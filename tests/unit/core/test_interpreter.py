"""Which interpreter runs the user's project, found from the filesystem only, and why (shown to the user)."""

from __future__ import annotations

import sys
from pathlib import Path

from pgadmin_py.core.interpreter import find_project_python


def fake_venv(path: Path) -> Path:
    (path / "bin").mkdir(parents=True)
    (path / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = path / "bin" / "python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    return python


def test_alembic_python_then_the_projects_venv_then_ours(tmp_path: Path) -> None:
    assert find_project_python("/opt/app/bin/python", tmp_path).reason == "ALEMBIC_PYTHON is set"
    ours = find_project_python(None, tmp_path)
    assert ours.path == sys.executable and ours.own and "set ALEMBIC_PYTHON to choose" in ours.reason
    (tmp_path / "venv").mkdir()  # not a virtualenv: no pyvenv.cfg
    assert find_project_python(None, tmp_path).own
    python = fake_venv(tmp_path / ".venv")
    found = find_project_python(None, tmp_path)
    assert found.path == str(python) and not found.own
    assert found.reason == "the virtualenv .venv/ in the project directory"


def test_our_own_venv_in_the_project_is_called_ours(tmp_path: Path) -> None:
    python = fake_venv(tmp_path / ".venv")
    assert find_project_python(None, tmp_path, own=str(python)).own
    other = fake_venv(tmp_path / "elsewhere")
    assert not find_project_python(None, tmp_path, own=str(other)).own
