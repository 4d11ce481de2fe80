"""An Alembic project's configuration, as Alembic itself resolves it in the project's interpreter.

The server never re-implements how ``script_location`` / ``version_locations`` / ``prepend_sys_path``
resolve (``%(here)s``, ``package:path``, paths relative to the working directory, separators, TOML):
``probe.py`` asks Alembic's own ``Config`` and ``ScriptDirectory.from_config`` in the project's
interpreter and answers with JSON, and :class:`AlembicProject` holds those facts. A probe costs a
process start, so :class:`ProjectProbe` keeps the answer until the ini or env.py changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.errors import AppError
from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.core.processes import ChildProcesses

PROBE_SCRIPT = Path(__file__).resolve().parent / "probe.py"
PROBE_TIMEOUT = 60
_CACHE_SIZE = 16
FAILURE_SECONDS = 5


class AlembicProjectError(AppError):
    title = "Cannot read the Alembic project"


@dataclass(frozen=True, slots=True)
class Drivers:
    """The PostgreSQL drivers importable in the project's interpreter, and its SQLAlchemy's dialects."""

    installed: frozenset[str] = frozenset()
    dialects: frozenset[str] = frozenset()
    default: str | None = None  # the driver SQLAlchemy picks for a bare postgresql:// URL

    def describe(self) -> str:
        names = ", ".join(sorted(self.installed)) or "no PostgreSQL driver"
        return f"{names} (SQLAlchemy's default for postgresql:// is {self.default or 'unknown'})"


@dataclass(frozen=True, slots=True)
class AlembicProject:
    """What Alembic resolved for one ini section, in the project's interpreter (see probe.py)."""

    ini_path: Path
    section: str
    script_location: Path
    version_locations: tuple[Path, ...]
    recursive: bool
    python: ProjectPython
    prepend_sys_path: tuple[Path, ...] = ()
    path_separator: str | None = None
    has_url: bool = False
    alembic_version: str | None = None
    sqlalchemy_version: str | None = None
    python_version: str | None = None
    flask_migrate_version: str | None = None
    flask_migrate_layout: bool = False  # no script_location in the ini: Flask-Migrate sets it at run time
    env_uses_app_context: bool = False  # env.py reads current_app: it needs the Flask app (flask db ...)
    drivers: Drivers = Drivers()
    missing_modules: tuple[tuple[str, str], ...] = ()  # (module, file) not importable there

    @property
    def env_py(self) -> Path:
        return self.script_location / "env.py"

    @property
    def versions_line(self) -> str:
        """Alembic and SQLAlchemy of the project's interpreter, for the migrations page."""
        return f"Alembic {self.alembic_version or '?'}, SQLAlchemy {self.sqlalchemy_version or 'not installed'}"


def _minor(version: str | None) -> str | None:
    parts = (version or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def _ours(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions_warning(project: AlembicProject) -> str:
    """A warning for the startup report when the project's interpreter has another SQLAlchemy or Alembic
    (major.minor) than pgadmin-py's, or when pgadmin-py is installed in the project's own environment (where
    installing it may have upgraded them: the README recommends pipx, uvx or the container); else "".

    Migrations and the models always run in the project's interpreter with its own versions; this says which
    ones, so a difference the user did not expect is seen at start, not in a failed migration."""
    ours = {"SQLAlchemy": _ours("sqlalchemy"), "Alembic": _ours("alembic")}
    theirs = {"SQLAlchemy": project.sqlalchemy_version, "Alembic": project.alembic_version}
    if project.python.shared:
        return (f"pgadmin-py is installed in the project's own environment ({sys.prefix}), so its SQLAlchemy "
                f"{ours['SQLAlchemy']} and Alembic {ours['Alembic']} are the project's too: install pgadmin-py "
                "with pipx or uvx instead (see the README) to leave the project's versions alone")
    if project.python.own:
        return ""
    differ = [name for name in ours if _minor(ours[name]) != _minor(theirs[name])]
    if not differ:
        return ""
    shown = ", ".join(f"{name} {theirs[name] or 'not installed'} (pgadmin-py: {ours[name]})" for name in differ)
    return (f"the project's interpreter has {shown}; migrations and models run there with the project's own "
            "versions, nothing of the project's environment was changed")


def project_from_facts(facts: dict[str, Any], python: ProjectPython) -> AlembicProject:
    """The project described by the probe's JSON, or the probe's error as an :class:`AlembicProjectError`."""
    if not facts.get("ok"):
        raise AlembicProjectError(str(facts.get("error") or "The configuration probe failed."),
                                  str(facts.get("fix") or "") or None)
    drivers = facts.get("drivers") or {}
    return AlembicProject(
        ini_path=Path(facts["ini"]),
        section=str(facts["section"]),
        script_location=Path(facts["script_dir"]),
        version_locations=tuple(Path(p) for p in facts["version_locations"]),
        recursive=bool(facts.get("recursive")),
        python=python,
        prepend_sys_path=tuple(Path(p) for p in facts.get("prepend_sys_path") or ()),
        path_separator=facts.get("path_separator") or facts.get("version_path_separator"),
        has_url=bool(facts.get("has_url")),
        alembic_version=facts.get("alembic"),
        sqlalchemy_version=facts.get("sqlalchemy"),
        python_version=facts.get("python_version"),
        flask_migrate_version=facts.get("flask_migrate"),
        flask_migrate_layout=bool(facts.get("flask_migrate_layout")),
        env_uses_app_context=bool(facts.get("env_uses_app_context")),
        drivers=Drivers(frozenset(k for k, v in (drivers.get("installed") or {}).items() if v),
                        frozenset(k for k, v in (drivers.get("dialects") or {}).items() if v),
                        drivers.get("default")),
        missing_modules=tuple((str(m), str(f)) for m, f in facts.get("missing_modules") or ()),
    )


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every child that runs the project: the user's own, unchanged ``PYTHONPATH``
    included (``sys.path`` is then what Alembic's CLI has: its ``prepend_sys_path``, never the ini's
    directory first, which would let a ``logging/`` or ``types.py`` there shadow the standard library)."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **(extra or {})}


def run_probe(ini: Path, section: str, python: ProjectPython, project_dir: Path,
              children: ChildProcesses | None = None) -> dict[str, Any]:
    """Run probe.py in the project's interpreter, in the project directory; its JSON answer. Started through
    ``children`` when given (the app's: stopped with it)."""
    command = [python.path, str(PROBE_SCRIPT), "--ini", str(ini), "--section", section]
    try:
        if children is not None:
            result = children.run(command, cwd=project_dir, env=child_env(), timeout=PROBE_TIMEOUT)
        else:
            result = subprocess.run(command, capture_output=True, text=True, cwd=project_dir, env=child_env(),
                                    timeout=PROBE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise AlembicProjectError(f"Reading the Alembic configuration with {python.path} took longer than "
                                  f"{PROBE_TIMEOUT} s.", "Check that interpreter starts (ALEMBIC_PYTHON).") from None
    except OSError as exc:
        raise AlembicProjectError(f"Cannot start the project's interpreter {python.path}: {exc.strerror}.",
                                  f"It was chosen because {python.reason}; set ALEMBIC_PYTHON to a working "
                                  "Python interpreter.") from None
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    try:
        facts = json.loads(line)
    except ValueError:
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise AlembicProjectError(f"The configuration probe failed in {python.path}: {tail}",
                                  "That interpreter must be Python 3.8+; set ALEMBIC_PYTHON to the project's "
                                  "interpreter.") from None
    if not isinstance(facts, dict):
        raise AlembicProjectError(f"The configuration probe answered {line[:80]!r}.", None)
    return facts


def _stat(path: Path) -> tuple[float, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime, st.st_size


def _stamp(ini: Path, python: ProjectPython, facts: dict[str, Any] | None) -> tuple[Any, ...]:
    """What a probe's answer depends on: the ini, env.py, the interpreter and the list of script files (the
    probe also reports which modules the scripts import cannot be found there). The list, not each file's
    time: an edited revision is parsed again by the server (scripts.ScriptCache), and starting the project's
    interpreter again for it would cost a second per edit; a new or removed script is probed again."""
    if facts is None or not facts.get("ok"):  # a failure is asked again after a few seconds (fixed by now?)
        return _stat(ini), _stat(Path(python.path)), int(time.monotonic() // FAILURE_SECONDS)
    pattern = "**/*.py" if facts.get("recursive") else "*.py"
    scripts = sorted(str(path) for location in facts.get("version_locations") or ()
                     for path in Path(location).glob(pattern))
    return _stat(ini), _stat(Path(facts["env_py"])), _stat(Path(python.path)), hash(tuple(scripts))


class ProjectProbe:
    """Probe answers kept until the ini, env.py, the scripts or the interpreter change (a probe starts a
    process); bounded, owned by the migrations service."""

    def __init__(self, project_dir: Path, children: ChildProcesses | None = None) -> None:
        self.project_dir = project_dir
        self.children = children
        self._cache: BoundedCache[tuple[str, str, str], tuple[tuple[Any, ...], dict[str, Any]]] = BoundedCache(
            _CACHE_SIZE)

    def facts(self, ini: Path, section: str, python: ProjectPython) -> dict[str, Any]:
        key = (str(ini), section, python.path)
        entry = self._cache.get(key)
        if entry is not None and entry[0] == _stamp(ini, python, entry[1]):
            return entry[1]
        facts = run_probe(ini, section, python, self.project_dir, self.children)
        self._cache.put(key, (_stamp(ini, python, facts), facts))
        return facts

    def project(self, ini: Path, section: str, python: ProjectPython) -> AlembicProject:
        return project_from_facts(self.facts(ini, section, python), python)
