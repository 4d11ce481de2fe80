"""Where and how Alembic runs: always in a child process of the project's own interpreter, never inside
the server.

Three ways, chosen from the settings and the project's layout (the migrations page names the one in use):

1. ``alembic``: the project's interpreter (``ALEMBIC_PYTHON``, its virtualenv, else ours) runs ``child.py``,
   Alembic's command API with per-revision progress markers;
2. ``Flask-Migrate``: an env.py that takes its URL and metadata from ``current_app`` runs through the
   project's own wrapper, ``python -m flask db upgrade|downgrade|stamp`` (previews ``flask db upgrade --sql``),
   with ``FLASK_APP`` as the user's environment gives it;
3. ``MIGRATE_COMMAND``: the project's own command is called with ``upgrade|downgrade|stamp <rev>``.

Every child runs in the project directory with the user's environment, ``PYTHONPATH`` untouched: its
``sys.path`` is what Alembic's own CLI would have there (plus ``prepend_sys_path``, which Alembic applies).
The database URL reaches it through the environment only, never the command line.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl, mask_urls_in
from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.core.processes import ChildProcesses
from pgadmin_py.migrations.project import child_env

CHILD_SCRIPT = Path(__file__).resolve().parent / "child.py"
MARK = "::pgadmin-py::"
_MISSING = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")
_IMPORT_ERROR = re.compile(r"^(ImportError: .+)$", re.MULTILINE)
PREVIEW_TIMEOUT = 120
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?([A-Z]\w*(?:Error|Exception|Exit|Violation|Failure|Warning)|"
                        r"KeyError|AssertionError|StopIteration):\s*(.*)$")
_CLICK_ERROR = re.compile(r"^Error: (.+)$")
MODES = ("alembic", "Flask-Migrate", "MIGRATE_COMMAND")


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    ini: Path
    section: str
    project_dir: Path
    database_url: DatabaseUrl
    python: ProjectPython
    migrate_command: str | None = None
    flask: bool = False  # env.py needs the Flask app: run through `python -m flask db ...`
    version_table: str = "alembic_version"  # quoted, maybe schema-qualified (from env.py)
    lock_timeout_ms: int = 0  # MIGRATION_LOCK_TIMEOUT: given to every connection of a run (PGOPTIONS); 0: none

    @property
    def mode(self) -> str:
        if self.migrate_command:
            return "MIGRATE_COMMAND"
        return "Flask-Migrate" if self.flask else "alembic"

    @property
    def interpreter(self) -> str:
        return self.python.path

    @property
    def description(self) -> str:
        if self.migrate_command:
            return f"the project's own command: {self.migrate_command} upgrade|downgrade|stamp <rev>"
        if self.flask:
            return (f"Flask-Migrate, the project's own wrapper: {self.python.path} -m flask db upgrade <rev> "
                    "(previews: flask db upgrade --sql), in the app context FLASK_APP names")
        return f"Alembic in the project's interpreter {self.python.path}"

    def env(self) -> dict[str, str]:
        """The child's environment: the URL, and ``lock_timeout`` in libpq's ``PGOPTIONS``, which reaches every
        connection the project's env.py opens through libpq (psycopg 2 and 3, so Flask-Migrate and
        MIGRATE_COMMAND wrappers too) without touching its code; the user's own PGOPTIONS are kept before it."""
        env = child_env({"DATABASE_URL": self.database_url.libpq()})
        if self.lock_timeout_ms:
            env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '').strip()} -c lock_timeout={int(self.lock_timeout_ms)}".strip()
        return env

    def child(self, action: str, target: str, *, start: tuple[str, ...] = (), direction: str | None = None,
              interpreter: str | None = None) -> list[str]:
        command = [interpreter or self.interpreter, str(CHILD_SCRIPT), "--ini", str(self.ini),
                   "--section", self.section]
        if start:
            command += ["--from", ",".join(start)]
        if direction:
            command += ["--direction", direction]
        return [*command, "--", action, target]  # "--": a target such as -1 is not an option

    def flask_db(self, action: str, *args: str) -> list[str]:
        return [self.python.path, "-m", "flask", "db", action, "-d", str(self.ini.parent), *args]

    def run_command(self, action: str, target: str) -> list[str]:
        """The command for an online upgrade/downgrade/stamp."""
        if self.migrate_command:
            command = shlex.split(self.migrate_command)
            if command and command[0] in {"python", "python3"}:  # `python manage.py db`: the project's python
                command[0] = self.python.path
            return [*command, action, target]
        if self.flask:
            return self.flask_db(action, *(["--purge"] if action == "stamp" else []), "--", target)
        return self.child(action, target)


@dataclass(frozen=True, slots=True)
class SqlPreview:
    sql: str
    ok: bool
    error: str | None = None
    hint: str | None = None
    log: str = ""


def last_exception(output: str) -> str | None:
    """The last exception line of a child's output (``sqlalchemy.exc.ProgrammingError: ...``, click's
    ``Error: ...``), without SQLAlchemy's "Background on this error" link: the real error of a run that
    went through a wrapper and only ended with "exit code 1"."""
    found = None
    for line in output.splitlines():
        text = line.strip()
        if text.startswith(MARK) or text.startswith("["):
            continue
        if _EXCEPTION.match(text) or _CLICK_ERROR.match(text):
            found = text
    return _BACKGROUND.sub("", found).strip() if found else None


def diagnose(output: str, config: RunnerConfig) -> tuple[str | None, str | None]:
    """A one-line cause and the runner option that fixes it, read from a child's output."""
    if match := _MISSING.search(output):
        module = match.group(1)
        if config.python.own and config.mode == "alembic":
            hint = (f"Module {module!r} is not installed in pgadmin-py's own interpreter, which runs the project "
                    "because no virtualenv was found in the project directory. Set ALEMBIC_PYTHON to the "
                    "project's interpreter (e.g. /app/.venv/bin/python), or MIGRATE_COMMAND to the project's own "
                    "migration command, or install the project's requirements into pgadmin-py's environment.")
        else:
            hint = (f"Module {module!r} is missing in {config.interpreter} ({config.python.reason}). Install the "
                    "project's requirements there, or add prepend_sys_path = . to the ini when the module is "
                    "part of the project (PROJECT_DIR is the working directory).")
        return f"The project cannot be imported: no module named {module!r}.", hint
    if match := _IMPORT_ERROR.search(output):
        return match.group(1), "Check PROJECT_DIR and the project's interpreter (ALEMBIC_PYTHON / MIGRATE_COMMAND)."
    for line in reversed(output.splitlines()):
        if line.startswith(f"{MARK} error "):
            return _BACKGROUND.sub("", line.removeprefix(f"{MARK} error ")).strip(), None
    if (error := last_exception(output)) is not None:
        return error, None
    tail = [line for line in output.strip().splitlines() if line.strip() and MARK not in line]
    return (tail[-1] if tail else "the child process failed without output"), None


def _flask_sql(config: RunnerConfig, action: str, target: str, start: tuple[str, ...],
               direction: str | None) -> list[str] | str:
    """``flask db upgrade|downgrade --sql from:to``, or why Flask-Migrate cannot render this range."""
    if len(start) > 1:
        return ("Flask-Migrate renders offline SQL from one revision only, and this range starts at "
                f"{len(start)} revisions ({', '.join(start)}).")
    if action == "sql-step":
        if direction == "up":
            return config.flask_db("upgrade", "--sql", "--", f"{start[0]}:{target}" if start else target)
        return config.flask_db("downgrade", "--sql", "--", f"{target}:{start[0] if start else 'base'}")
    if action == "sql-upgrade":
        return config.flask_db("upgrade", "--sql", "--", f"{start[0]}:{target}" if start else target)
    if not start:
        return "The database is at base: there is nothing to downgrade."
    return config.flask_db("downgrade", "--sql", "--", f"{start[0]}:{target}")


def preview_command(config: RunnerConfig, action: str, target: str, start: tuple[str, ...],
                    direction: str | None = None) -> list[str] | str:
    """The child that renders ``action``'s offline SQL, or why none can (a str)."""
    if config.flask and not config.migrate_command:
        return _flask_sql(config, action, target, start, direction)
    return config.child(action, target, start=start, direction=direction)


def offline_sql(config: RunnerConfig, action: str, target: str, start: tuple[str, ...],
                direction: str | None = None, *, children: ChildProcesses | None = None) -> SqlPreview:
    """SQL that ``action`` would run from ``start``, rendered by Alembic's offline mode in a child (started
    through ``children`` when given: the app's, stopped with it)."""
    command = preview_command(config, action, target, start, direction)
    if isinstance(command, str):
        return SqlPreview("", False, command, None)
    try:
        if children is not None:
            result = children.run(command, cwd=config.project_dir, env=config.env(), timeout=PREVIEW_TIMEOUT)
        else:
            result = subprocess.run(command, capture_output=True, text=True, cwd=config.project_dir,
                                    env=config.env(), timeout=PREVIEW_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return SqlPreview("", False, f"The SQL preview took longer than {PREVIEW_TIMEOUT} s.", None)
    except OSError as exc:
        return SqlPreview("", False, f"Cannot start {command[0]}: {exc.strerror}",
                          f"{config.python.reason}; set ALEMBIC_PYTHON to a Python interpreter.")
    log = mask_urls_in(result.stderr)
    if result.returncode != 0:
        error, hint = diagnose(log + "\n" + mask_urls_in(result.stdout), config)
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
