"""The guard: holds the migration lock for exactly as long as a migration's process runs, whatever dies.

``python guard.py --cwd DIR -- COMMAND...`` (run as a file, in pgadmin-py's own interpreter, which has
psycopg; the migration itself may run in the project's interpreter or its own wrapper). The connection URL
comes from ``PGADMIN_PY_GUARD_URL`` in the environment, never from the command line.

1. It connects, takes ``pg_try_advisory_lock(LOCK_KEY)`` on its own session and prints ``locked`` or
   ``busy``.
2. The server sends JSON lines on stdin: ``{"run": id, "app": name, "log": path, "outcome": path}`` names
   the run (the guard's session becomes ``<name> lock``; the child gets ``PGAPPNAME=<name>``, which libpq
   gives every connection the child opens); ``{"start": true}`` starts COMMAND and relays its output;
   ``{"release": true}`` or end of input releases the lock and exits.
3. While the child runs, the sessions that block the child's sessions (``pg_blocking_pids``) are reported,
   each once, as ``blocked {json}``: a statement that then fails on ``lock_timeout`` names who held it up.
4. When the child ends, any database session still named for it is terminated (a child killed by a
   signal leaves its backend executing), and the outcome is written to the outcome file.

Why a guard and not "die with the parent": if the server is killed mid-migration, stopping the migration
half-way is worse than letting it finish (non-transactional DDL, ``transaction_per_migration``), and a
wrapper's own children would not die with it anyway. So the server may die; the guard keeps the lock,
drains the child's output into the log file, records the exit code, and only then releases the lock. If the
guard itself is killed, the child is killed with it on Linux (``PR_SET_PDEATHSIG``), and the server
terminates any session it left.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

LOCK_KEY = 0x7067_6D69_6772  # = runs.LOCK_KEY (this file runs standalone: it cannot import it)
URL_ENV = "PGADMIN_PY_GUARD_URL"
MARK = "::guard::"
TERMINATE_WAIT_SECONDS = 10.0
WATCH_SECONDS = 0.25
_BLOCKERS = """
select w.pid, b.pid, coalesce(b.application_name, ''), coalesce(b.usename::text, ''), coalesce(b.state, ''),
       extract(epoch from clock_timestamp() - coalesce(b.xact_start, b.state_change))::float8,
       left(coalesce(b.query, ''), 300), left(coalesce(w.query, ''), 300)
  from pg_catalog.pg_stat_activity w
 cross join lateral unnest(pg_catalog.pg_blocking_pids(w.pid)) as x(pid)
  join pg_catalog.pg_stat_activity b on b.pid = x.pid
 where w.application_name = %s and w.datname = current_database()"""


class Guard:
    def __init__(self, command: list[str], cwd: str) -> None:
        import psycopg

        self.command, self.cwd = command, cwd
        self.url = os.environ.get(URL_ENV, "")
        self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=15,
                                    application_name="pgadmin-py lock")
        self.app = ""
        self.log: IO[str] | None = None
        self.outcome: Path | None = None
        self.child: subprocess.Popen[str] | None = None
        self.attached = True  # False once the server stopped reading our output
        self.output = threading.Lock()  # the watcher thread and the main one both print
        self.child_done = threading.Event()

    def say(self, text: str) -> None:
        if not self.attached:
            return
        with self.output:
            try:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
            except (BrokenPipeError, OSError):
                self.attached = False  # the server is gone: the log file still gets every line

    def watch(self) -> None:
        """Until the child ends: report each session that blocks one of the child's, once."""
        seen: set[tuple[int, int]] = set()
        while not self.child_done.wait(WATCH_SECONDS):
            try:
                rows = self.conn.execute(_BLOCKERS, (self.app,)).fetchall()
            except Exception:  # noqa: BLE001 - watching is best effort; the migration goes on regardless
                return
            for waiting, pid, app, user, state, seconds, query, waiting_query in rows:
                if (waiting, pid) in seen:
                    continue
                seen.add((waiting, pid))
                record = {"pid": pid, "application_name": app, "user": user, "state": state, "seconds": seconds,
                          "query": query, "waiting_pid": waiting, "waiting_query": waiting_query}
                self.say(f"{MARK} blocked {json.dumps(record)}")

    def lock(self) -> bool:
        row = self.conn.execute("select pg_try_advisory_lock(%s), pg_backend_pid()", (LOCK_KEY,)).fetchone()
        if not row or not row[0]:
            self.say(f"{MARK} busy")
            return False
        self.say(f"{MARK} locked {row[1]}")
        return True

    def assign(self, command: dict[str, Any]) -> None:
        self.app = str(command["app"])[:50]
        self.conn.execute("select set_config('application_name', %s, false)", (f"{self.app} lock",))
        log = Path(command["log"])
        log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.log = os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")
        self.outcome = Path(command["outcome"])
        self.say(f"{MARK} run {command['run']}")

    def run_child(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != URL_ENV}
        if self.app:
            env["PGAPPNAME"] = self.app
        started = time.time()
        try:
            self.child = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                          bufsize=1, cwd=self.cwd, env=env, preexec_fn=_die_with_parent(os.getpid()),
                                          errors="replace")
        except OSError as exc:
            self.say(f"cannot start {self.command[0]}: {exc.strerror}")
            self.finish(127, started)
            return
        self.say(f"{MARK} child {self.child.pid}")
        watcher = threading.Thread(target=self.watch, name="guard-watch", daemon=True) if self.app else None
        if watcher is not None:
            watcher.start()
        assert self.child.stdout is not None
        for line in self.child.stdout:
            if self.log is not None:
                with self.output:
                    self.log.write(line if line.endswith("\n") else line + "\n")
                    self.log.flush()
            self.say(line.rstrip("\n"))
        code = self.child.wait()
        self.child_done.set()
        if watcher is not None:
            watcher.join()
        self.finish(code, started)

    def finish(self, code: int, started: float) -> None:
        terminated = self.terminate_leftovers() if self.app else 0
        if terminated:
            self.say(f"{MARK} terminated {terminated}")
        if self.outcome is not None:
            record = {"exit": code, "terminated": terminated, "started": started,
                      "finished_at": datetime.now(timezone.utc).isoformat(),
                      "child_pid": self.child.pid if self.child else None}
            partial = self.outcome.with_suffix(".tmp")
            with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
                out.write(json.dumps(record))
            partial.replace(self.outcome)
        self.say(f"{MARK} exit {code}")

    def terminate_leftovers(self) -> int:
        """Terminate the sessions the child left behind (a child killed by a signal leaves its backend running
        the statement to its end); wait until they are gone."""
        query = ("select pid from pg_catalog.pg_stat_activity where application_name = %s "
                 "and pid <> pg_backend_pid() and datname = current_database()")
        pids = [r[0] for r in self.conn.execute(query, (self.app,)).fetchall()]
        for pid in pids:
            self.conn.execute("select pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + TERMINATE_WAIT_SECONDS
        while pids and time.monotonic() < deadline and self.conn.execute(query, (self.app,)).fetchone():
            time.sleep(0.05)
        return len(pids)

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.execute("select pg_advisory_unlock(%s)", (LOCK_KEY,))
        self.conn.close()
        if self.log is not None:
            self.log.close()


def _die_with_parent(parent: int) -> Any:
    """On Linux, the child gets SIGKILL if the guard dies (so it never runs on without the lock); elsewhere
    nothing (the server then terminates the child's session by its application_name)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork: nothing to import after it
    except (OSError, AttributeError):
        return None

    def arm() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the guard died before prctl took effect
            os._exit(1)

    return arm


def _forward(guard: Guard) -> None:
    """SIGTERM stops the migration (the lock is still held until it has ended); Ctrl-C and a closed terminal
    do not reach it."""
    def on_term(signum: int, frame: Any) -> None:
        if guard.child is not None and guard.child.poll() is None:
            guard.child.terminate()
        else:
            raise SystemExit(143)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def main(argv: list[str]) -> int:
    cwd = argv[argv.index("--cwd") + 1] if "--cwd" in argv else str(Path.cwd())
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    try:
        guard = Guard(command, cwd)
    except Exception as exc:  # noqa: BLE001 - one recognisable line for the server, whatever failed
        print(f"{MARK} error {type(exc).__name__}: {exc}".replace("\n", " "), flush=True)
        return 2
    _forward(guard)
    try:
        if not guard.lock():
            return 3
        for raw in sys.stdin:
            message = json.loads(raw)
            if "app" in message:
                guard.assign(message)
            elif message.get("start") and guard.child is None:
                guard.run_child()
            elif message.get("release"):
                break
    finally:
        guard.release()
    return 0


if __name__ == "__main__":
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]  # run as a file: our module names must not shadow anything
    sys.exit(main(sys.argv[1:]))
