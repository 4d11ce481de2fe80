"""Whose backup is this: the source of each backup, which ones may be restored here, and how many are kept.

Every backup's JSON sidecar records the server (``system_identifier``), the database and the revision(s)
it was taken at. A restore is offered only over the database it came from: a backup of ``shop`` can
never replace ``shop_staging``, nor ``shop`` on another server. Backups from before sidecars recorded the
server (or copied in by hand) fall back on the database name pg_dump wrote into the archive header: another
database is refused; the same name is restorable only after an extra, explicit confirmation, because
nothing proves it came from this server.

Pruning (after every new backup): per source database keep the newest ``BACKUP_KEEP``; then, while the
directory holds more than ``BACKUP_MAX_MB``, delete the oldest. The newest backup of each database is never
deleted, whatever the budget.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.pgtools import Backup, Identity


class BackupOfAnotherDatabase(AppError):
    status_code = 409
    title = "This backup is of another database"


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """Whether ``backup`` may be restored over ``here``."""

    backup: Backup
    here: Identity
    database: str | None  # the source database: from the sidecar, else from the archive header
    verified: bool  # same server and database, proven by the sidecar
    refusal: str | None  # why it must not be restored here, or None

    @property
    def needs_extra_confirmation(self) -> bool:
        return self.refusal is None and not self.verified


def check_source(backup: Backup, here: Identity, archive_database: str | None) -> SourceCheck:
    """Compare the backup's recorded source with the database we are connected to."""
    source = backup.source
    database = source.database if source is not None else archive_database
    if database is not None and database != here.database:
        return SourceCheck(backup, here, database, False,
                           f"{backup.name} is a backup of database {database!r}, and pgadmin-py is connected to "
                           f"{here.database!r}. Restoring it would replace {here.database!r} with another "
                           "database.")
    sid = source.system_identifier if source is not None else None
    if sid is not None and here.system_identifier is not None and sid != here.system_identifier:
        return SourceCheck(backup, here, database, False,
                           f"{backup.name} is a backup of {database!r} on another PostgreSQL server (system "
                           f"identifier {sid}; this server's is {here.system_identifier}). A database of the "
                           "same name elsewhere is another database.")
    verified = sid is not None and sid == here.system_identifier
    return SourceCheck(backup, here, database, verified, None)


def refuse_unless_restorable(check: SourceCheck) -> None:
    if check.refusal is not None:
        raise BackupOfAnotherDatabase(check.refusal, "Restore it with pgadmin-py connected to that database "
                                      "(DATABASE_URL), or pick a backup of this one from the backups page.")


def is_of(backup: Backup, here: Identity) -> bool:
    """Listed as restorable here: a backup whose sidecar names this database (and this server, when both sides
    know theirs), or one with no sidecar (shown as "source unknown")."""
    source = backup.source
    if source is None:
        return True
    if source.database != here.database:
        return False
    return source.system_identifier is None or here.system_identifier is None or \
        source.system_identifier == here.system_identifier


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    """``BACKUP_KEEP`` newest backups per source database, ``BACKUP_MAX_MB`` for the whole directory."""

    keep: int = 10
    max_bytes: int = 5000 * 1024 * 1024

    def describe(self) -> str:
        return (f"keep the newest {self.keep} per database and at most {self.max_bytes // (1024 * 1024):,} MB "
                "in all; the newest backup of each database is always kept")


def _group(backup: Backup) -> tuple[str, str]:
    source = backup.source
    if source is None:
        return ("?", backup.name)  # a backup of unknown source is its own group: never pruned as "older"
    return (source.system_identifier or "?", source.database)


def prunable(backups: list[Backup], policy: BackupPolicy, keep: frozenset[Path] = frozenset()) -> list[Backup]:
    """The backups the policy deletes, oldest first, never one in ``keep`` (the one being restored). Pure:
    ``backups`` is the directory's listing."""
    newest_first = sorted(backups, key=lambda b: b.created, reverse=True)
    groups: dict[tuple[str, str], list[Backup]] = defaultdict(list)
    for backup in newest_first:
        groups[_group(backup)].append(backup)
    protected = {members[0].path for members in groups.values()} | keep  # the last good one of each database
    doomed = {b.path for members in groups.values() for b in members[policy.keep:] if b.path not in protected}
    total = sum(b.size for b in backups if b.path not in doomed)
    for backup in reversed(newest_first):  # oldest first
        if total <= policy.max_bytes:
            break
        if backup.path in protected or backup.path in doomed:
            continue
        doomed.add(backup.path)
        total -= backup.size
    return [b for b in reversed(newest_first) if b.path in doomed]


def prune(backups: list[Backup], policy: BackupPolicy, keep: frozenset[Path] = frozenset()) -> list[Backup]:
    """Delete what :func:`prunable` names (the dump and its sidecar); return what was deleted."""
    removed = []
    for backup in prunable(backups, policy, keep):
        with contextlib.suppress(FileNotFoundError):
            backup.path.unlink()
            removed.append(backup)
        backup.path.with_suffix(".json").unlink(missing_ok=True)
    return removed
