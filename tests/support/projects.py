"""The fixture projects of tests/fixtures/projects and the interpreters that run them.

A fixture with a ``requirements.txt`` needs packages pgadmin-py's own environment does not have (Flask-Migrate,
SQLAlchemy 1.4, psycopg2 only, ...): its virtualenv is built once from PyPI under ``<repo>/.venv-fixtures/``
(outside git), named by a hash of the requirements and the Python version, so a changed pin builds a new one and
an unchanged one is reused across runs. A fixture without one runs in pgadmin-py's own interpreter.

A project of an older era pins packages that have no build for the newest Python (SQLAlchemy 1.4 has no wheel
for 3.13): like a user's project, it names its Python in a pyenv-style ``.python-version`` file, and its
virtualenv is built with that Python (on PATH or under ~/.pyenv/versions) whatever Python runs the suite. That is
the product's own situation: the project's interpreter is not ours.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@functools.cache
def _version(python: str) -> str:
    """``(3, 11)``: the major and minor version of an interpreter."""
    if python == sys.executable:
        return f"{sys.version_info[:2]}"
    return subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True,
                          check=True).stdout.strip()


@functools.cache
def base_python(name: str) -> str:
    """The Python a fixture's virtualenv is made from: the one its ``.python-version`` names, else ours."""
    pinned = fixture_dir(name) / ".python-version"
    if not pinned.is_file():
        return sys.executable
    version = pinned.read_text().strip()
    candidates = [shutil.which(f"python{version}"),
                  *sorted(str(p) for p in (Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python"))]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", ""], capture_output=True, check=False).returncode == 0:
            return candidate
    raise RuntimeError(f"fixture {name!r} needs Python {version} (its .python-version): install it "
                       f"(e.g. pyenv install {version}) or put python{version} on PATH")


def venv_dir(name: str) -> Path | None:
    """Where the fixture's virtualenv lives (None: the fixture runs in pgadmin-py's own interpreter)."""
    reqs = requirements(name)
    if reqs is None:
        return None
    digest_of = reqs.read_bytes() + _version(base_python(name)).encode()
    digest = hashlib.sha256(digest_of).hexdigest()[:12]
    return VENVS / f"{name}-{digest}"


def _python_in(venv: Path) -> Path:
    return venv / "bin" / "python"


def _build(name: str, venv: Path, reqs: Path) -> None:
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    # No pip inside the new environment (ensurepip costs seconds): our pip installs into it with --python.
    subprocess.run([base_python(name), "-m", "venv", "--without-pip", str(venv)], check=True)
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


def build_all(names: list[str] | None = None) -> dict[str, str]:
    """Every fixture's interpreter, the missing virtualenvs built in parallel (pip mostly waits on the network)."""
    names = names if names is not None else all_fixtures()
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(names, pool.map(fixture_python, names), strict=True))


FixturePython = Callable[[str], str]


@pytest.fixture(scope="session")
def project_python() -> FixturePython:
    """``project_python("sa14")``: the interpreter of a fixture project; all fixture venvs are built (in parallel)
    on first use in a session and reused across sessions (``.venv-fixtures/``)."""
    pythons = build_all()
    return pythons.__getitem__


@dataclass(frozen=True, slots=True)
class Facts:
    """What a fixture project is known to hold, for tests to check pages and runs against."""

    revisions: tuple[str, ...]  # every revision id
    heads: tuple[str, ...]  # the version rows after ``upgrade heads`` (sorted)
    models: tuple[str, ...]  # the mapped classes (the models page lists each)
    ini: str = "alembic.ini"  # as the CLI is given it (``-c``), relative to the project root
    downgrade_base: bool = True  # ``downgrade base`` works with the project's CLI
    fails_in: str | None = None  # ``upgrade heads`` fails in this revision (the database stays below it)


FACTS: dict[str, Facts] = {
    "flask_migrate": Facts(("3f1c2a9d8e01", "7b4e5d6c9a12", "c8d9e0f1a2b3"), ("c8d9e0f1a2b3",),
                           ("User", "Post", "Tag"), ini="migrations/alembic.ini"),
    "cwd_relative": Facts(("5e0c1d2b3a41", "a7f3e9b21c04"), ("a7f3e9b21c04",), ("Warehouse", "StockItem"),
                          ini="config/alembic.ini"),
    "pkg_resource": Facts(("0d9c8b7a6f51", "6a5b4c3d2e10"), ("6a5b4c3d2e10",), ("Project", "Task")),
    "stdlib_shadow": Facts(("e4d3c2b1a090",), ("e4d3c2b1a090",), ("Customer", "Order"), ini="shop/alembic.ini"),
    "data_migration": Facts(("1c2d3e4f5a60", "8e7f6a5b4c31", "b2a1c0d9e8f7"), ("b2a1c0d9e8f7",),
                            ("Region", "Customer")),
    "async_asyncio": Facts(("d1e2f3a4b5c6", "a6b5c4d3e2f1"), ("a6b5c4d3e2f1",), ("Notebook", "Note")),
    "async_anyio": Facts(("d1e2f3a4b5c6", "a6b5c4d3e2f1"), ("a6b5c4d3e2f1",), ("Notebook", "Note")),
    "branched": Facts(("4b1e6f0a2c11", "9d2c7a3e5b40", "2f8a1b9c0d77", "6c0d5e4f3a21", "e1a2b3c4d5e6",
                       "f7e6d5c4b3a2", "c3b2a1f0e9d8", "0a9b8c7d6e5f"), ("0a9b8c7d6e5f", "f7e6d5c4b3a2"),
                      ("Account", "Tag", "AuditEntry"), downgrade_base=False),
    "wrapper_fail": Facts(("7a1b2c3d4e5f", "8b2c3d4e5f60", "9c3d4e5f6071"), ("7a1b2c3d4e5f",),
                          ("Invoice", "InvoiceLine"), fails_in="8b2c3d4e5f60"),
    "create_all": Facts(("3e4f5a6b7c80", "4f5a6b7c8d91"), ("4f5a6b7c8d91",), ("Author", "Book")),
    "custom_types": Facts(("5a6b7c8d9e01", "6b7c8d9e0f12"), ("6b7c8d9e0f12",), ("Supplier", "Product")),
    "sa14": Facts(("27c6a30d7c24", "b1f0c4e2a9d3", "e5d4c3b2a1f0"), ("e5d4c3b2a1f0",),
                  ("Customer", "Subscription", "Plan")),
    "fsqla2": Facts(("1f2e3d4c5b6a", "9a8b7c6d5e4f"), ("9a8b7c6d5e4f",), ("Agent", "Ticket", "TicketComment"),
                    ini="migrations/alembic.ini"),
}
