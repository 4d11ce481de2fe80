"""Launch the models probe in the project's interpreter and turn its JSON answer into frozen facts.

The probe (:mod:`pgadmin_py.orm.model_probe`) is a script file run by the project's own Python, in the
project directory, with the database URL in its environment only. A probe that crashes, prints garbage,
or hangs becomes a :class:`ProbeProblem` with words for the page, never an exception that reaches a
handler as a 500.
"""

from __future__ import annotations

import configparser
import json
import logging
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pgadmin_py.core.dburl import InvalidDatabaseUrl, mask_urls_in
from pgadmin_py.core.processes import ChildProcesses
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.orm.introspect import ModelCatalog

log = logging.getLogger(__name__)
PROBE_SCRIPT = Path(__file__).resolve().parent / "model_probe.py"
MARK = "::pgadmin-py-json::"
MODELS_TIMEOUT_SECONDS = 90.0
DRIFT_TIMEOUT_SECONDS = 90.0


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Why the models could not be read, with the fix, the child's traceback and its ``sys.path``."""

    spec: str
    summary: str
    hint: str
    traceback: str
    sys_path: tuple[str, ...]
    missing_module: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportProblem:
        missing = data.get("missing_module")
        return cls(str(data.get("spec") or "models"), str(data.get("summary") or "the probe failed"),
                   str(data.get("hint") or ""), str(data.get("traceback") or ""),
                   tuple(str(p) for p in data.get("sys_path") or ()), str(missing) if missing else None)


@dataclass(frozen=True, slots=True)
class DriftItem:
    kind: str  # missing_table, extra_table, missing_column, extra_column, type, nullable, default, index, ...
    table: str
    column: str | None
    message: str


@dataclass(frozen=True, slots=True)
class DriftFacts:
    items: tuple[DriftItem, ...]
    error: str | None  # the comparison itself failed (reported, never fatal)


@dataclass(frozen=True, slots=True)
class RenderedMigration:
    upgrade: str  # the body of upgrade(), as Alembic's render_python_code writes it
    downgrade: str


class ProbeFailed(Exception):
    """The probe could not answer: ``problem`` says why, in words."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__(problem.summary)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ProbeCommand:
    """How to run the probe for this project: interpreter, directory, arguments and environment."""

    python: str
    cwd: Path
    env: Mapping[str, str] = field(repr=False)  # holds DATABASE_URL: never logged
    ini: Path | None = None
    section: str = "alembic"
    base: str | None = None
    models: tuple[str, ...] = ()
    flask: bool = False

    def argv(self, action: str) -> list[str]:
        args = [self.python, str(PROBE_SCRIPT), action, "--section", self.section]
        if self.ini is not None:
            args += ["--ini", str(self.ini)]
        if self.base:
            args += ["--base", self.base]
        if self.models:
            args += ["--models", ",".join(self.models)]
        if self.flask:
            args.append("--flask")
        return args


def flask_migrate_layout(ini: Path | None, section: str = "alembic") -> bool:
    """Flask-Migrate's layout: ``migrations/alembic.ini`` with no ``script_location`` (Flask-Migrate sets it to
    the ini's directory) and an env.py beside it that reads ``current_app``: it needs the app's context."""
    if ini is None or not ini.is_file():
        return False
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
        location = parser.get(section, "script_location", fallback=None)
        env = ini.parent / "env.py"
        source = env.read_text(encoding="utf-8", errors="replace") if env.is_file() else ""
    except (configparser.Error, OSError):
        return False
    return not location and "current_app" in source


def _problem(summary: str, hint: str, detail: str = "") -> ImportProblem:
    return ImportProblem("models probe", summary, hint, detail, ())


def launch(python: str, cwd: Path, env: Mapping[str, str], args: Sequence[str], *,
           timeout: float = MODELS_TIMEOUT_SECONDS, children: ChildProcesses | None = None) -> dict[str, Any]:
    """Run ``python args...`` in ``cwd`` with exactly ``env``; the probe's JSON answer, or :class:`ProbeFailed`.
    Started through ``children`` when given (the app's: stopped with it)."""
    try:
        if children is not None:
            done = children.run([python, *args], cwd=cwd, env=env, timeout=timeout, stdin_devnull=True)
        else:
            done = subprocess.run([python, *args], cwd=cwd, env=dict(env), capture_output=True, text=True,
                                  timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        tail = _masked(_tail(exc.stderr), env)
        raise ProbeFailed(_problem(
            f"Reading the models took longer than {timeout:.0f} s and was stopped",
            "Something in env.py or the models waits (a database, a network service, input). Make `alembic check` "
            "finish in the project directory, or set SQLALCHEMY_BASE=module:Base to name the models directly.",
            tail)) from None
    except OSError as exc:
        raise ProbeFailed(_problem(
            f"The project's interpreter could not be started: {python}: {exc.strerror or exc}",
            "Set ALEMBIC_PYTHON to a working Python of the project (e.g. /app/.venv/bin/python).")) from None
    stdout, stderr = _masked(done.stdout, env), _masked(done.stderr, env)
    marker = stdout.rfind(MARK)
    if marker < 0:
        raise ProbeFailed(_problem(
            f"The models probe exited with code {done.returncode} without an answer",
            "The project's interpreter needs SQLAlchemy (and Alembic for env.py) installed; the error output is "
            "below. Set ALEMBIC_PYTHON to the interpreter that has them.", _tail(stderr)))
    try:
        answer = json.loads(stdout[marker + len(MARK):].strip().splitlines()[0])
    except (json.JSONDecodeError, IndexError) as exc:
        raise ProbeFailed(_problem(f"The models probe printed an answer that is not JSON ({exc})",
                                   "This is a bug in pgadmin-py's probe; the error output is below.",
                                   _tail(stderr))) from None
    if not isinstance(answer, dict):
        raise ProbeFailed(_problem("The models probe printed an answer that is not a JSON object",
                                   "This is a bug in pgadmin-py's probe.", _tail(stderr)))
    return answer


def _masked(text: str, env: Mapping[str, str]) -> str:
    """The child's output with the database password hidden, wherever the project printed it."""
    text = mask_urls_in(text)
    try:
        password = parse_database_url(env["DATABASE_URL"]).password if env.get("DATABASE_URL") else None
    except InvalidDatabaseUrl:
        password = None
    if password:
        text = text.replace(json.dumps(password)[1:-1], "***").replace(password, "***")
    return text


def _tail(text: str | bytes | None, limit: int = 6000) -> str:
    if text is None:
        return ""
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return value[-limit:]


def drift_from_json(answer: Mapping[str, Any]) -> DriftFacts:
    if answer.get("problem"):
        problem = ImportProblem.from_json(answer["problem"])
        return DriftFacts((), f"{problem.summary}. {problem.hint}".strip())
    items = tuple(DriftItem(str(i.get("kind")), str(i.get("table") or ""),
                            str(i["column"]) if i.get("column") is not None else None, str(i.get("message")))
                  for i in answer.get("items") or () if isinstance(i, dict))
    error = answer.get("error")
    return DriftFacts(items, str(error) if error else None)


def catalog_of(answer: Mapping[str, Any]) -> ModelCatalog:
    catalog = answer.get("catalog")
    return ModelCatalog.from_json(catalog) if isinstance(catalog, dict) else ModelCatalog((), None)
