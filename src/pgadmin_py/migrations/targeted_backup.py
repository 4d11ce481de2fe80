"""A backup in proportion to the change: every definition, and the rows of the tables the run touches.

One ``pg_dump -Fc`` with ``--exclude-table-data`` for every other table: the archive holds the whole schema
(so a restore knows which tables were created since) and the rows of the covered tables only. Restoring it
with ``--clean`` as it is would drop and recreate every table, and the others would come back empty; so a
targeted restore passes ``pg_restore --use-list`` a table of contents cut down to the covered tables and what
hangs on them (their data, constraints, defaults, triggers, indexes, own sequences, the views over them, the
comments and grants on these). Every other table is not touched by the restore at all.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine

from pgadmin_py.catalog.dependents import closure
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import autocommit_connection, direct_connection
from pgadmin_py.migrations.backup_scope import BackupScope, Coverage
from pgadmin_py.migrations.pgtools import Backup, PgTools, archive_list, private_dir, run_backup

_ENTRY = re.compile(r"^\d+; \d+ \d+ (.*)$")
# the descriptions pg_restore --list prints, several words long; longest first so "TABLE DATA" beats "TABLE"
_DESCS = sorted(("TABLE DATA", "FK CONSTRAINT", "CHECK CONSTRAINT", "SEQUENCE OWNED BY", "SEQUENCE SET",
                 "MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "ROW SECURITY", "INDEX ATTACH", "TABLE ATTACH",
                 "SECURITY LABEL", "DEFAULT ACL", "FOREIGN TABLE"), key=len, reverse=True)
_OWN = frozenset({"TABLE", "TABLE DATA", "FOREIGN TABLE", "TABLE ATTACH"})  # tag: the table
_ON_TABLE = frozenset({"CONSTRAINT", "FK CONSTRAINT", "CHECK CONSTRAINT", "DEFAULT", "TRIGGER", "POLICY",
                       "ROW SECURITY", "RULE"})  # tag: "table name"
_VIEWS = frozenset({"VIEW", "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA"})
_SEQUENCES = frozenset({"SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET"})
_ABOUT = frozenset({"COMMENT", "ACL", "SECURITY LABEL"})  # tag: "TABLE orders", "COLUMN orders.note", ...


def pattern(schema: str, name: str) -> str:
    """A pg_dump pattern that matches exactly this table (quoted: no wildcard, case kept)."""
    return '"' + schema.replace('"', '""') + '"."' + name.replace('"', '""') + '"'


def with_related(engine: Engine, scope: BackupScope) -> BackupScope:
    """``scope`` with what a targeted backup would hold besides its tables, as the catalog says now; full when
    a trigger on them could write elsewhere."""
    if not scope.targeted:
        return scope
    with autocommit_connection(engine) as conn:
        found = closure(conn, list(scope.tables))
    if found.triggers:
        return BackupScope(reason=_triggers(found.triggers))
    return replace(scope, related=tuple(t for t in (*found.tables, *found.views) if t not in scope.tables))


def _triggers(triggers: tuple[str, ...]) -> str:
    return f"a trigger ({', '.join(triggers[:3])}) may write tables the SQL does not name"


def targeted_backup(tools: PgTools, url: DatabaseUrl, target: Path, revisions: tuple[str, ...],
                    touched: tuple[tuple[str | None, str], ...], note: str) -> Backup | str:
    """The backup, or why it must be a full one."""
    with direct_connection(url, "backups") as conn:
        found = closure(conn, list(touched))
    if found.triggers:
        return _triggers(found.triggers)
    coverage = Coverage(found.tables, found.views, found.indexes, found.sequences,
                        tuple((s or "", n) for s, n in touched))
    options = [f"--exclude-table-data={pattern(s, n)}" for s, n in found.others]
    return run_backup(tools, url, target, revisions, note=note, options=options, coverage=coverage)


def _split(entry: str) -> tuple[str, str, str]:
    """``TABLE DATA public orders postgres`` -> (desc, schema, tag); the owner (last word) is dropped."""
    desc = next((d for d in _DESCS if entry.startswith(d + " ")), entry.split(" ", 1)[0])
    rest = entry[len(desc) + 1:]
    schema, _, tagged = rest.partition(" ")
    return desc, schema, tagged.rsplit(" ", 1)[0]


def wanted(entry: str, coverage: Coverage) -> bool:
    """Whether a table-of-contents entry is restored with the covered tables."""
    desc, schema, tag = _split(entry)
    tables, views = set(coverage.tables), set(coverage.views)
    if desc in _OWN:
        return (schema, tag) in tables
    if desc in _ON_TABLE:
        return (schema, tag.split(" ", 1)[0]) in tables
    if desc in ("INDEX", "INDEX ATTACH"):
        return (schema, tag) in set(coverage.indexes)
    if desc in _SEQUENCES:
        return (schema, tag) in set(coverage.sequences)
    if desc in _VIEWS:
        return (schema, tag) in views
    if desc in _ABOUT:
        kind, _, name = tag.partition(" ")
        if kind in ("TABLE", "VIEW", "MATERIALIZED"):
            return (schema, name.removeprefix("VIEW ")) in tables | views
        if kind == "COLUMN":
            return (schema, name.rsplit(".", 1)[0]) in tables
        if kind == "INDEX":
            return (schema, name) in set(coverage.indexes)
        if kind == "SEQUENCE":
            return (schema, name) in set(coverage.sequences)
        if kind == "CONSTRAINT":
            return (schema, name.rsplit(" ON ", 1)[-1]) in tables
    return False


def restore_list(tools: PgTools, backup: Backup, directory: Path) -> Path | None:
    """For a targeted backup, the ``--use-list`` file restoring its covered tables (None for a full backup)."""
    if backup.coverage is None:
        return None
    lines = [line for line in archive_list(tools, backup.path).splitlines()
             if (m := _ENTRY.match(line)) and wanted(m.group(1), backup.coverage)]
    path = private_dir(directory) / f"{backup.path.stem}.list"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return path
