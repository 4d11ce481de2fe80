"""The child processes the app waits for (the models probe, the project probe, SQL previews), stopped with it.

``create_app`` builds one :class:`ChildProcesses` and hands it to the services that start children; on
shutdown :meth:`ChildProcesses.stop` ends every child still running (SIGTERM, then SIGKILL after a grace
period) and refuses new ones, so no probe outlives the server. A migration's guard process is not one of
these: it is meant to outlive a dying server, holding the lock until the migration ended
(``migrations/guarded.py``).
"""

from __future__ import annotations

import errno
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

STOP_GRACE_SECONDS = 2.0


class ChildProcesses:
    """``run`` is ``subprocess.run(args, capture_output=True, text=True, check=False)`` for children that
    :meth:`stop` can end."""

    def __init__(self) -> None:
        self._live: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def running(self) -> int:
        """How many children are running now."""
        with self._lock:
            return sum(1 for p in self._live if p.poll() is None)

    def pids(self) -> list[int]:
        """The process ids of the children running now."""
        with self._lock:
            return sorted(p.pid for p in self._live if p.poll() is None)

    def run(self, args: Sequence[str], *, timeout: float, cwd: Path | str | None = None,
            env: Mapping[str, str] | None = None, stdin_devnull: bool = False) -> subprocess.CompletedProcess[str]:
        """Run ``args`` to the end and capture its output; :class:`subprocess.TimeoutExpired` (the child
        killed) past ``timeout``; :class:`OSError` when it cannot start or the app is shutting down."""
        with self._lock:
            if self._stopped:
                raise OSError(errno.ECANCELED, "the server is shutting down")
            process = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       cwd=cwd, env=dict(env) if env is not None else None,
                                       stdin=subprocess.DEVNULL if stdin_devnull else None)
            self._live.add(process)
        try:
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
                raise subprocess.TimeoutExpired(process.args, timeout, stdout, stderr) from None
        finally:
            with self._lock:
                self._live.discard(process)
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """End every running child (terminate, then kill after ``grace`` seconds) and start no more."""
        with self._lock:
            self._stopped = True
            live = list(self._live)
        for process in live:
            if process.poll() is None:
                process.terminate()
        for process in live:
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
