"""The fixture projects of tests/fixtures/projects and the interpreters that run them.

A fixture with a ``requirements.txt`` needs packages pgadmin-py's own environment does not have (Flask-Migrate,
SQLAlchemy 1.4, psycopg2 only, ...): its virtualenv is built once from PyPI under ``<repo>/.venv-fixtures/``
(outside git), named by a hash of the requirements and the Python version, so a changed pin builds a new one and
an unchanged one is reused across runs. A fixture without one runs in pgadmin-py's own interpreter.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "projects"
VENVS = Path(os.environ.get("PGADMIN_PY_FIXTURE_VENVS") or REPO / ".venv-fixtures")
BUILD_TIMEOUT = 600
_COMPLETE = ".complete"


def fixture_dir(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_dir():
        raise LookupError(f"no fixture project {name!r} under {FIXTURES}")
    return path


def requirements(name: str) -> Path | None:
    path = fixture_dir(name) / "requirements.txt"
    return path if path.is_file() else None


def venv_dir(name: str) -> Path | None:
    """Where the fixture's virtualenv lives (None: the fixture runs in pgadmin-py's own interpreter)."""
    reqs = requirements(name)
    if reqs is None:
        return None
    digest = hashlib.sha256(reqs.read_bytes() + f"{sys.version_info[:2]}".encode()).hexdigest()[:12]
    return VENVS / f"{name}-{digest}"


def _python_in(venv: Path) -> Path:
    return venv / "bin" / "python"


def _build(name: str, venv: Path, reqs: Path) -> None:
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    # No pip inside the new environment (ensurepip costs seconds): our pip installs into it with --python.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    command = [sys.executable, "-m", "pip", "--python", str(_python_in(venv)), "install", "--quiet",
               "--disable-pip-version-check", "--only-binary", ":all:", "-r", str(reqs)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    if result.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        raise RuntimeError(f"building the virtualenv of fixture {name!r} failed:\n{result.stdout}\n{result.stderr}")
    (venv / _COMPLETE).write_text(f"{time.monotonic() - started:.1f} s\n")


def fixture_python(name: str) -> str:
    """The interpreter that runs fixture ``name``: its own virtualenv (built on first use), else ours."""
    venv = venv_dir(name)
    if venv is None:
        return sys.executable
    reqs = requirements(name)
    assert reqs is not None
    if not (venv / _COMPLETE).exists():
        VENVS.mkdir(parents=True, exist_ok=True)
        with (VENVS / f"{name}.lock").open("w") as lock:  # two pytest processes build it once
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (venv / _COMPLETE).exists():
                _build(name, venv, reqs)
    return str(_python_in(venv))


def copy_fixture(name: str, dest: Path) -> Path:
    """A copy of the fixture at ``dest`` (nothing writes into the repository), with its virtualenv linked as
    ``dest/.venv`` when it has one, where a user's project keeps it."""
    shutil.copytree(fixture_dir(name), dest, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    venv = venv_dir(name)
    if venv is not None:
        fixture_python(name)
        (dest / ".venv").symlink_to(venv, target_is_directory=True)
    return dest


def all_fixtures() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


FixturePython = Callable[[str], str]
