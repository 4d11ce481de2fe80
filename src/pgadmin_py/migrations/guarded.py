"""The server's side of the guard (``guard.py``): start it, name the run, start the child, read its output.

The guard process, not the server, holds the migration lock: the lock lives exactly as long as the
migration's process, even when the server is killed. Runs are named in ``pg_stat_activity``
(``pgadmin-py run <id> <history>`` for the child, the same plus `` lock`` for the guard), so a restarted
server can tell a run still going from one that died with its server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.engine import direct_connection

GUARD_SCRIPT = Path(__file__).resolve().parent / "guard.py"
URL_ENV = "PGADMIN_PY_GUARD_URL"
MARK = "::guard::"


class GuardFailed(AppError):
    status_code = 503
    title = "The migration guard could not start"


def app_name(history_path: Path, run_id: int) -> str:
    """The run's ``application_name``: the history file's short hash keeps two pgadmin-py data directories on
    one database (each with its own run #1) apart."""
    token = hashlib.sha1(str(history_path.resolve()).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"pgadmin-py run {run_id} {token}"


def run_files(data_dir: Path, run_id: int) -> tuple[Path, Path]:
    """The guard's copy of the child's output and its outcome record."""
    folder = data_dir / "runs"
    return folder / f"{run_id}.log", folder / f"{run_id}.outcome.json"


@dataclass(frozen=True, slots=True)
class Outcome:
    exit: int
    terminated: int


def read_outcome(path: Path) -> Outcome | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Outcome(int(data["exit"]), int(data.get("terminated") or 0))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class GuardProcess:
    """One guard process per run. :meth:`acquire` starts it and waits for the lock."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.exit_code: int | None = None
        self.child_pid: int | None = None
        self.terminated = 0
        self.blockers: list[dict[str, object]] = []  # sessions that blocked the child's, as the guard saw them

    @classmethod
    def acquire(cls, url: DatabaseUrl, command: list[str], env: dict[str, str], cwd: Path) -> GuardProcess | None:
        """A guard holding the lock, or None when another session holds it."""
        process = subprocess.Popen([sys.executable, str(GUARD_SCRIPT), "--cwd", str(cwd), "--", *command],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1, env={**env, URL_ENV: url.conninfo()},
                                   start_new_session=True)  # Ctrl-C on the server's terminal never reaches it
        guard = cls(process)
        first = guard._line() or ""
        if first.startswith(f"{MARK} locked"):
            return guard
        guard.close()
        if first.startswith(f"{MARK} busy"):
            return None
        raise GuardFailed(f"The process that holds the migration lock failed: {first or 'no output'}",
                          "Check that the database is reachable; the server log has details.")

    def _line(self) -> str | None:
        """The guard's next line, or None once it has exited."""
        assert self.process.stdout is not None
        raw = self.process.stdout.readline()
        return raw.rstrip("\n") if raw else None

    def _send(self, message: dict[str, object]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def assign(self, run_id: int, app: str, log: Path, outcome: Path) -> None:
        self._send({"run": run_id, "app": app, "log": str(log), "outcome": str(outcome)})
        self._line()  # "::guard:: run <id>": the session carries the run's name from now on

    def run(self) -> Iterator[str]:
        """Start the child; yield its output lines until it has ended (then :attr:`exit_code` is set)."""
        self._send({"start": True})
        while (line := self._line()) is not None:
            if not line.startswith(MARK):
                yield line
                continue
            word, _, value = line.removeprefix(MARK).strip().partition(" ")
            if word == "child":
                self.child_pid = int(value)
            elif word == "terminated":
                self.terminated = int(value)
            elif word == "blocked":
                with contextlib.suppress(ValueError):
                    record = json.loads(value)
                    self.blockers.append(record)
                    yield (f"pgadmin-py: waiting for a lock held by pid {record.get('pid')} "
                           f"({record.get('application_name') or 'no application_name'}, "
                           f"{record.get('state') or 'state unknown'}): {str(record.get('query') or '')[:160]}")
            elif word == "exit":
                self.exit_code = int(value)
                return

    def release(self) -> None:
        """Let the guard release the lock and exit (it waits for the child first, if one still runs)."""
        with contextlib.suppress(BrokenPipeError, OSError, ValueError):
            self._send({"release": True})
        self.close()

    def close(self) -> None:
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)  # past that it is still waiting for its child; it releases the lock after


def run_sessions(url: DatabaseUrl, prefix: str) -> dict[str, list[int]]:
    """``application_name -> backend pids`` of the runs' sessions in this database."""
    with direct_connection(url, "history") as conn:
        rows = conn.execute(
            "select application_name, pid from pg_catalog.pg_stat_activity where datname = current_database() "
            "and application_name like %s", (prefix.replace("%", r"\%").replace("_", r"\_") + "%",)).fetchall()
    sessions: dict[str, list[int]] = {}
    for name, pid in rows:
        sessions.setdefault(str(name), []).append(int(pid))
    return sessions


def terminate_sessions(url: DatabaseUrl, pids: list[int]) -> int:
    with direct_connection(url, "history") as conn:
        return sum(1 for pid in pids if conn.execute("select pg_terminate_backend(%s)", (pid,)).fetchone())
