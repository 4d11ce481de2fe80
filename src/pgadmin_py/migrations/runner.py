"""Where and how Alembic runs: always in a child process, never inside the server.

Three ways, chosen from the settings (the status page names the one in use):

1. default: this interpreter runs ``child.py`` (Alembic's command API) with the project on ``PYTHONPATH``;
2. ``ALEMBIC_PYTHON``: the project's own interpreter runs the same ``child.py`` (it needs only Alembic);
3. ``MIGRATE_COMMAND``: the project's wrapper (``flask db`` …) is called with ``upgrade|downgrade|stamp <rev>``.

Offline SQL previews always use ``child.py`` (a wrapper cannot be asked for a range's SQL).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in

CHILD_SCRIPT = Path(__file__).resolve().parent / "child.py"
MARK = "::pgadmin-py::"
_MISSING = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")
_IMPORT_ERROR = re.compile(r"^(ImportError: .+)$", re.MULTILINE)
PREVIEW_TIMEOUT = 120
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    ini: Path
    section: str
    project_dir: Path
    database_url: DatabaseUrl
    python: str = sys.executable
    alembic_python: str | None = None
    migrate_command: str | None = None
    version_table: str = "alembic_version"  # quoted, maybe schema-qualified (from env.py)

    @property
    def mode(self) -> str:
        if self.migrate_command:
            return "MIGRATE_COMMAND"
        if self.alembic_python:
            return "ALEMBIC_PYTHON"
        return "default"

    @property
    def description(self) -> str:
        if self.migrate_command:
            return f"the project's own command: {self.migrate_command} upgrade|downgrade|stamp <rev>"
        if self.alembic_python:
            return f"Alembic in the project's interpreter {self.alembic_python}"
        return f"Alembic's command API in a child {Path(self.python).name} with {self.project_dir} on PYTHONPATH"

    @property
    def interpreter(self) -> str:
        return self.alembic_python or self.python

    def env(self) -> dict[str, str]:
        paths = [str(self.project_dir), str(self.ini.parent)]
        if existing := os.environ.get("PYTHONPATH"):
            paths.append(existing)
        return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
                "DATABASE_URL": self.database_url.libpq(), "PYTHONUNBUFFERED": "1"}

    def child(self, action: str, target: str, *, start: tuple[str, ...] = (), direction: str | None = None,
              interpreter: str | None = None) -> list[str]:
        command = [interpreter or self.interpreter, str(CHILD_SCRIPT), "--ini", str(self.ini),
                   "--section", self.section]
        if start:
            command += ["--from", ",".join(start)]
        if direction:
            command += ["--direction", direction]
        return [*command, "--", action, target]  # "--": a target such as -1 is not an option

    def run_command(self, action: str, target: str) -> list[str]:
        """The command for an online upgrade/downgrade/stamp."""
        if self.migrate_command:
            return [*shlex.split(self.migrate_command), action, target]
        return self.child(action, target)


@dataclass(frozen=True, slots=True)
class SqlPreview:
    sql: str
    ok: bool
    error: str | None = None
    hint: str | None = None
    log: str = ""


def diagnose(output: str, config: RunnerConfig) -> tuple[str | None, str | None]:
    """A one-line cause and the runner option that fixes it, read from a child's output."""
    if match := _MISSING.search(output):
        module = match.group(1)
        if config.mode == "default":
            hint = (f"Module {module!r} is not installed where pgadmin-py runs. Set ALEMBIC_PYTHON to the "
                    "project's interpreter (e.g. /app/.venv/bin/python), or MIGRATE_COMMAND to the project's own "
                    "migration command, or install the project's requirements into pgadmin-py's environment.")
        else:
            hint = (f"Module {module!r} is missing in {config.interpreter}. Install the project's requirements "
                    "there, or check PROJECT_DIR so the project's packages are on PYTHONPATH.")
        return f"The project cannot be imported: no module named {module!r}.", hint
    if match := _IMPORT_ERROR.search(output):
        return match.group(1), "Check PROJECT_DIR and the runner option (ALEMBIC_PYTHON / MIGRATE_COMMAND)."
    for line in reversed(output.splitlines()):
        if line.startswith(f"{MARK} error "):
            return _BACKGROUND.sub("", line.removeprefix(f"{MARK} error ")).strip(), None
    tail = [line for line in output.strip().splitlines() if line.strip()]
    return (tail[-1] if tail else "the child process failed without output"), None


def offline_sql(config: RunnerConfig, action: str, target: str, start: tuple[str, ...],
                direction: str | None = None) -> SqlPreview:
    """SQL that ``action`` would run from ``start``, rendered by Alembic's offline mode in a child."""
    command = config.child(action, target, start=start, direction=direction)
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=config.project_dir, env=config.env(),
                                timeout=PREVIEW_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return SqlPreview("", False, f"The SQL preview took longer than {PREVIEW_TIMEOUT} s.", None)
    except OSError as exc:
        return SqlPreview("", False, f"Cannot start {command[0]}: {exc.strerror}",
                          "Check ALEMBIC_PYTHON: it must be a Python interpreter.")
    log = mask_urls_in(result.stderr)
    if result.returncode != 0:
        error, hint = diagnose(log, config)
        return SqlPreview("", False, error, hint, log)
    return SqlPreview(mask_urls_in(result.stdout).strip(), True, log=log)


_RUNNING = re.compile(r"Running (upgrade|downgrade) (.*?) -> ([^,]*)")


def progress_revision(line: str) -> tuple[str, str] | None:
    """``("begin"|"done", revision)`` for a progress line, from our markers or Alembic's own log line."""
    if line.startswith(MARK):
        parts = line.split()
        if len(parts) >= 4 and parts[1] in {"begin", "done"}:
            return parts[1], parts[3]
        return None
    if match := _RUNNING.search(line):
        moved = match.group(3) if match.group(1) == "upgrade" else match.group(2)
        return "begin", moved.split(",")[0].strip()
    return None
