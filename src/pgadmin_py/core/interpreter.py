"""Which Python runs the user's project: ``ALEMBIC_PYTHON``, else a virtualenv the project has, else ours.

Everything that reads or runs the user's project (its alembic.ini, env.py, models and migrations) runs in
this interpreter, never in the server's: their SQLAlchemy, Alembic and Flask may differ from ours. The
environment is located from the filesystem only (no ``poetry``/``pipenv`` call, no network), the way those
tools name their environments, so the choice is quick and the same on every start.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

IN_PROJECT = (".venv", "venv", ".env", "env")


@dataclass(frozen=True, slots=True)
class ProjectPython:
    """The interpreter chosen for the project, and why (shown on the startup report and the migrations page)."""

    path: str
    reason: str
    own: bool  # True when it is pgadmin-py's own interpreter (no project environment found)
    shared: bool = False  # the project's environment is pgadmin-py's own (pgadmin-py was installed into it)


def venv_python(venv: Path) -> Path | None:
    """The interpreter of the virtualenv at ``venv``, or None when ``venv`` is not one."""
    if not (venv / "pyvenv.cfg").is_file():
        return None
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _project_name(project_dir: Path) -> str | None:
    try:
        data = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    project = data.get("project")
    for table in (poetry, project):
        name = table.get("name") if isinstance(table, dict) else None
        if isinstance(name, str) and name:
            return name
    return None


def _poetry_dirs() -> list[Path]:
    home = Path.home()
    dirs = []
    if configured := os.environ.get("POETRY_VIRTUALENVS_PATH"):
        dirs.append(Path(configured).expanduser())
    if cache := os.environ.get("POETRY_CACHE_DIR"):
        dirs.append(Path(cache).expanduser() / "virtualenvs")
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        dirs.append(Path(xdg) / "pypoetry" / "virtualenvs")
    dirs += [home / ".cache" / "pypoetry" / "virtualenvs", home / "Library" / "Caches" / "pypoetry" / "virtualenvs"]
    if local := os.environ.get("LOCALAPPDATA"):
        dirs.append(Path(local) / "pypoetry" / "Cache" / "virtualenvs")
    return dirs


def poetry_env(project_dir: Path) -> Path | None:
    """Poetry's environment for ``project_dir``: ``<name>-<sha256(path)[:8]>-py<X.Y>`` in its cache."""
    name = _project_name(project_dir)
    if name is None or (not (project_dir / "poetry.lock").is_file() and "poetry" not in _tool_names(project_dir)):
        return None
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    normalized = os.path.normcase(os.path.realpath(project_dir))
    digest = base64.urlsafe_b64encode(hashlib.sha256(normalized.encode()).digest()).decode()[:8]
    for base in _poetry_dirs():
        for venv in sorted(base.glob(f"{sanitized}-{digest}-py*"), reverse=True):
            if venv_python(venv) is not None:
                return venv
    return None


def _tool_names(project_dir: Path) -> set[str]:
    try:
        data = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return set()
    tool = data.get("tool")
    return set(tool) if isinstance(tool, dict) else set()


def pipenv_env(project_dir: Path) -> Path | None:
    """Pipenv's environment: ``<dir name>-<urlsafe b64 of sha256(Pipfile path)[:6]>`` under WORKON_HOME."""
    pipfile = project_dir / "Pipfile"
    if not pipfile.is_file():
        return None
    sanitized = re.sub(r'[ &$`!*@"()\[\]\\\r\n\t]', "_", project_dir.name)[:42]
    digest = base64.urlsafe_b64encode(hashlib.sha256(str(pipfile).encode()).digest()[:6]).decode()[:8]
    home = Path(os.environ.get("WORKON_HOME") or Path.home() / ".local" / "share" / "virtualenvs").expanduser()
    venv = home / f"{sanitized}-{digest}"
    return venv if venv_python(venv) is not None else None


def find_project_python(alembic_python: str | None, project_dir: Path,
                        own: str = sys.executable) -> ProjectPython:
    """``ALEMBIC_PYTHON``; else ``.venv``/``venv`` in the project (uv's and most tools' default), a Poetry or
    Pipenv environment; else pgadmin-py's own interpreter."""
    if alembic_python:
        return ProjectPython(alembic_python, "ALEMBIC_PYTHON is set", own=False)
    for name in IN_PROJECT:
        python = venv_python(project_dir / name)
        if python is not None:
            # the same environment as ours? (compare the environments: every venv's python links to one binary)
            same = (project_dir / name).resolve() == Path(own).parent.parent.resolve()
            return ProjectPython(str(python), f"the virtualenv {name}/ in the project directory", own=same,
                                 shared=same)
    for finder, tool in ((poetry_env, "Poetry"), (pipenv_env, "Pipenv")):
        venv = finder(project_dir)
        python = venv_python(venv) if venv is not None else None
        if python is not None:
            return ProjectPython(str(python), f"the {tool} environment of the project ({venv})", own=False)
    return ProjectPython(own, "no virtualenv found in the project directory (looked for .venv, venv, Poetry and "
                              "Pipenv environments): pgadmin-py's own interpreter; set ALEMBIC_PYTHON to choose",
                         own=True)
