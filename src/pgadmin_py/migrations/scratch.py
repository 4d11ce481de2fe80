"""The throwaway copy a rehearsal runs on: made on the same server, always dropped, recognisable by its name.

Two ways to copy, the fastest the server allows:

- ``CREATE DATABASE copy TEMPLATE real``: a file-level copy, but PostgreSQL refuses it while any other session
  is connected to the real database (our own pool's idle connections included: they are closed first). It is
  issued from a maintenance database (``postgres``, else ``template1``), never from the real one.
- otherwise ``pg_dump`` of the real database (it only reads) restored into an empty scratch database.

A database larger than the threshold is never copied whole: its tables above the threshold get their
schema and a sample of rows (``TABLESAMPLE SYSTEM`` then ``LIMIT``), the other tables all their rows; rows
left without their parent by a sample are deleted before the foreign keys are restored, and the result says
which tables were sampled or trimmed. Every scratch database is named ``pgadmin_py_rehearsal_<time>_<hex>``:
one left behind by a crash is dropped on the next start (unless a session still uses it).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import subprocess
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pgadmin_py.catalog.sizes import ForeignKeyPair, TableSize, foreign_key_pairs, table_sizes
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.errors import AppError
from pgadmin_py.db.engine import direct_connection
from pgadmin_py.migrations.pgtools import PgTools, private_dir

PREFIX = "pgadmin_py_rehearsal_"
_NAME = re.compile(rf"^{PREFIX}\d+_[0-9a-f]+$")
MAINTENANCE = ("postgres", "template1")
TOOL_TIMEOUT = 6 * 3600
OBJECT_IN_USE = "55006"
LEFTOVER_AFTER_SECONDS = 120  # younger copies may be one another server process is making right now


class ScratchError(AppError):
    title = "The rehearsal's copy could not be made"


@dataclass(frozen=True, slots=True)
class CopyOptions:
    sample_above_bytes: int  # a database above this is copied with samples of its tables above it
    sample_rows: int  # rows per sampled table
    work_dir: Path  # where the dump goes while it is restored (0700)


@dataclass(frozen=True, slots=True)
class Sampled:
    schema: str
    table: str
    rows: int  # copied
    estimated_rows: int  # in the real table
    total_bytes: int


@dataclass(frozen=True, slots=True)
class ScratchCopy:
    name: str
    url: DatabaseUrl
    method: str  # template | dump
    why: str  # why this method, in words
    sampled: tuple[Sampled, ...] = ()
    trimmed: tuple[tuple[str, str, int], ...] = ()  # (schema, table, rows deleted): left without their parent
    warnings: str = ""  # what pg_restore reported

    @property
    def words(self) -> str:
        how = "CREATE DATABASE … TEMPLATE" if self.method == "template" else "pg_dump / pg_restore"
        return f"{how} ({self.why})"


def scratch_name(now: float | None = None) -> str:
    return f"{PREFIX}{int(now if now is not None else time.time())}_{secrets.token_hex(4)}"


def is_scratch(name: str) -> bool:
    return _NAME.match(name) is not None


def made_at(name: str) -> int:
    """When the scratch database ``name`` was made (Unix time, from its name)."""
    return int(name.removeprefix(PREFIX).split("_")[0])


def create_problem(url: DatabaseUrl) -> str | None:
    """Why this role cannot make the copy (no CREATEDB), or None."""
    with direct_connection(url, "rehearsal") as conn:
        row = conn.execute("select current_user::text, rolcreatedb or rolsuper from pg_catalog.pg_roles "
                           "where rolname = current_user").fetchone()
    if row is None or row[1]:
        return None
    return (f"A rehearsal runs on a throwaway copy of the database, and the role {row[0]} may not create "
            f"databases (it lacks CREATEDB). Grant it (ALTER ROLE {row[0]} CREATEDB) or connect as a role that "
            "has it; the real database is never touched either way.")


@contextlib.contextmanager
def _admin(url: DatabaseUrl) -> Iterator[psycopg.Connection[Any] | None]:
    """A session on a maintenance database of the same server (CREATE / DROP DATABASE run there), or None."""
    for name in MAINTENANCE:
        try:
            conn = direct_connection(url.with_database(name), "rehearsal")
        except psycopg.Error:
            continue
        with conn:
            yield conn
        return
    yield None


def _others(conn: psycopg.Connection[Any], database: str) -> int:
    row = conn.execute("select count(*) from pg_catalog.pg_stat_activity where datname = %s "
                       "and pid <> pg_catalog.pg_backend_pid()", (database,)).fetchone()
    return int(row[0]) if row else 0


def _try_template(url: DatabaseUrl, source: str, name: str, release_pool: Callable[[], None]) -> str | None:
    """``CREATE DATABASE name TEMPLATE source``; None when done, else why it could not be used."""
    release_pool()  # our own idle pooled sessions on the real database would block it
    with _admin(url) as admin:
        if admin is None:
            return "no maintenance database (postgres, template1) accepts our connection"
        if others := _others(admin, source):
            return (f"{others} other session(s) are connected to {source}, and CREATE DATABASE … TEMPLATE needs "
                    "none")
        try:
            admin.execute(sql.SQL("create database {} template {}").format(sql.Identifier(name),
                                                                           sql.Identifier(source)))
        except psycopg.Error as exc:
            if exc.sqlstate == OBJECT_IN_USE:
                return f"a session connected to {source} meanwhile ({exc.diag.message_primary})"
            raise
    return None


def _create_empty(url: DatabaseUrl, source: str, name: str) -> None:
    with direct_connection(url, "rehearsal") as conn:
        row = conn.execute("select pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype "
                           "from pg_catalog.pg_database where datname = current_database()").fetchone()
    with _admin(url) as admin, contextlib.ExitStack() as stack:
        conn = admin or stack.enter_context(direct_connection(url, "rehearsal"))
        query = sql.SQL("create database {} template template0").format(sql.Identifier(name))
        if row is not None:
            try:
                conn.execute(query + sql.SQL(" encoding {} lc_collate {} lc_ctype {}").format(
                    sql.Literal(row[0]), sql.Literal(row[1]), sql.Literal(row[2])))
                return
            except psycopg.Error:
                pass  # e.g. a locale this server cannot give a new database: the server's defaults then
        conn.execute(query)


def _tool(command: list[str], url: DatabaseUrl) -> subprocess.CompletedProcess[str]:
    public = url.public_conninfo()
    argv = [*command, "--no-password", *(["--dbname", public] if public else [])]
    return subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **url.secret_env()},
                          timeout=TOOL_TIMEOUT, check=False)


def _pattern(table: TableSize) -> str:
    """The table as a pg_dump pattern: both names quoted, so nothing in them acts as a wildcard."""
    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    return f"{quoted(table.schema)}.{quoted(table.name)}"


def _restore(tools: PgTools, target: DatabaseUrl, dump: Path, sections: tuple[str, ...], owners: bool) -> str:
    command = [str(tools.pg_restore), *(f"--section={s}" for s in sections)]
    if not owners:
        command += ["--no-owner", "--no-privileges"]
    result = _tool([*command, str(dump)], target)
    if result.returncode != 0 and "errors ignored on restore" not in result.stderr:
        raise ScratchError(f"pg_restore into the copy failed: {result.stderr.strip()[-800:]}", None)
    return result.stderr.strip()


def _sample(source: psycopg.Connection[Any], target: psycopg.Connection[Any], table: TableSize, rows: int) -> int:
    percent = min(100.0, 100.0 * rows * 1.5 / table.estimated_rows) if table.estimated_rows > 0 else 100.0
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in table.columns)
    name = sql.Identifier(table.schema, table.name)
    read = sql.SQL("copy (select {} from {} tablesample system ({}) limit {}) to stdout (format binary)").format(
        columns, name, sql.Literal(percent), sql.Literal(rows))
    write = sql.SQL("copy {} ({}) from stdin (format binary)").format(name, columns)
    with source.cursor().copy(read) as out, target.cursor().copy(write) as into:
        for chunk in out:
            into.write(chunk)
    row = target.execute(sql.SQL("select count(*) from {}").format(name)).fetchone()
    return int(row[0]) if row else 0


def _trim(target: psycopg.Connection[Any], keys: list[ForeignKeyPair],
          sampled: set[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """Delete the rows a sample left without their parent, until none is left (a deletion may orphan rows of
    a third table in turn)."""
    changed = set(sampled)
    trimmed: dict[tuple[str, str], int] = {}
    for _ in range(50):
        deleted_now: set[tuple[str, str]] = set()
        for key in keys:
            if (key.ref_schema, key.ref_table) not in changed:
                continue
            match = sql.SQL(" and ").join(
                sql.SQL("p.{} = c.{}").format(sql.Identifier(r), sql.Identifier(c))
                for c, r in zip(key.columns, key.ref_columns, strict=True))
            present = sql.SQL(" and ").join(sql.SQL("c.{} is not null").format(sql.Identifier(c))
                                           for c in key.columns)
            query = sql.SQL("delete from {} c where {} and not exists (select 1 from {} p where {})").format(
                sql.Identifier(key.schema, key.table), present, sql.Identifier(key.ref_schema, key.ref_table), match)
            count = target.execute(query).rowcount
            if count > 0:
                trimmed[(key.schema, key.table)] = trimmed.get((key.schema, key.table), 0) + count
                deleted_now.add((key.schema, key.table))
        if not deleted_now:
            break
        changed = deleted_now
    return [(s, t, n) for (s, t), n in sorted(trimmed.items())]


def _dump_copy(url: DatabaseUrl, tools: PgTools, name: str, large: list[TableSize], options: CopyOptions,
               why: str, say: Callable[[str], None]) -> ScratchCopy:
    source_db = url.database
    _create_empty(url, source_db, name)
    target = url.with_database(name)
    dump = private_dir(options.work_dir) / f"{name}.dump"
    try:
        os.close(os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        exclude = [f"--exclude-table-data={_pattern(t)}" for t in large]
        without = f" without the rows of {len(large)} large table(s)" if large else ""
        say(f"pg_dump of the real database (it only reads){without}")
        result = _tool([str(tools.pg_dump), "-Fc", "-f", str(dump), *exclude], url)
        if result.returncode != 0:
            raise ScratchError(f"pg_dump failed: {result.stderr.strip()[-800:]}", None)
        with direct_connection(url, "rehearsal") as conn:
            row = conn.execute("select rolsuper from pg_catalog.pg_roles where rolname = current_user").fetchone()
            owners = bool(row and row[0])
        if not large:
            warnings = _restore(tools, target, dump, (), owners)
            return ScratchCopy(name, target, "dump", why, warnings=warnings)
        warnings = _restore(tools, target, dump, ("pre-data", "data"), owners)
        sampled: list[Sampled] = []
        with direct_connection(url, "rehearsal") as source, direct_connection(target, "rehearsal") as into:
            source.execute("set default_transaction_read_only = on")
            for table in large:
                copied = _sample(source, into, table, options.sample_rows)
                say(f"sampled {table.schema}.{table.name}: {copied:,} of about {int(table.estimated_rows):,} rows")
                sampled.append(Sampled(table.schema, table.name, copied, int(table.estimated_rows), table.total_bytes))
            trimmed = _trim(into, foreign_key_pairs(source), {(t.schema, t.name) for t in large})
        for schema, table_name, count in trimmed:
            say(f"deleted {count:,} row(s) of {schema}.{table_name} whose parent row is not in the sample")
        warnings = "\n".join(w for w in (warnings, _restore(tools, target, dump, ("post-data",), owners)) if w)
        return ScratchCopy(name, target, "dump", why, tuple(sampled), tuple(trimmed), warnings)
    finally:
        dump.unlink(missing_ok=True)


def make_copy(url: DatabaseUrl, tools: PgTools | None, options: CopyOptions, say: Callable[[str], None],
              release_pool: Callable[[], None]) -> ScratchCopy:
    """A new scratch database holding the real one's schema and (all or a sample of) its rows. On failure
    nothing is left behind."""
    name = scratch_name()
    with direct_connection(url, "rehearsal") as conn:
        conn.execute("set default_transaction_read_only = on")
        source_db = str(conn.execute("select current_database()").fetchone()[0])  # type: ignore[index]
        sizes = table_sizes(conn)
    url = url.with_database(source_db)
    total = sum(t.total_bytes for t in sizes)
    large = [t for t in sizes if t.total_bytes > options.sample_above_bytes] if total > options.sample_above_bytes \
        else []
    try:
        if not large:
            why = _try_template(url, source_db, name, release_pool)
            if why is None:
                return ScratchCopy(name, url.with_database(name), "template", f"{source_db} was idle")
            say(f"not copied with CREATE DATABASE … TEMPLATE: {why}")
        else:
            why = f"{len(large)} table(s) above the sample threshold"
        if tools is None:
            raise ScratchError(f"The copy needs pg_dump and pg_restore ({why}), and none matches this server.",
                               "Install the server's client tools (see the Backup line of the plan).")
        return _dump_copy(url, tools, name, large, options, why, say)
    except BaseException:
        with contextlib.suppress(psycopg.Error):
            drop_copy(url, name)
        raise


def drop_copy(url: DatabaseUrl, name: str) -> None:
    """Drop the scratch database ``name`` (only ever one of ours), ending any session still in it."""
    if not is_scratch(name):
        raise ValueError(f"{name!r} is not a scratch database of a rehearsal")
    with _admin(url) as admin, contextlib.ExitStack() as stack:
        conn = admin or stack.enter_context(direct_connection(url, "rehearsal"))
        conn.execute("select pg_catalog.pg_terminate_backend(pid) from pg_catalog.pg_stat_activity "
                     "where datname = %s and pid <> pg_catalog.pg_backend_pid()", (name,))
        for _ in range(50):
            try:
                conn.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))
                return
            except psycopg.Error as exc:
                if exc.sqlstate != OBJECT_IN_USE:
                    raise
                time.sleep(0.1)  # a terminated session takes a moment to go
        conn.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))


def scratch_databases(url: DatabaseUrl) -> list[str]:
    with direct_connection(url, "rehearsal") as conn:
        names = [str(r[0]) for r in conn.execute("select datname::text from pg_catalog.pg_database "
                                                 "where datname like %s", (PREFIX.replace("_", r"\_") + "%",))]
    return [n for n in names if is_scratch(n)]


def clean_leftovers(url: DatabaseUrl, keep: Collection[str] = ()) -> list[str]:
    """Drop the scratch databases a crash left behind: those no session uses, made over two minutes ago, and not
    in ``keep`` (ours now)."""
    dropped = []
    old = time.time() - LEFTOVER_AFTER_SECONDS
    with direct_connection(url, "rehearsal") as conn:
        busy = {str(r[0]) for r in conn.execute("select distinct datname::text from pg_catalog.pg_stat_activity "
                                                "where datname is not null")}
    for name in scratch_databases(url):
        if name in keep or name in busy or made_at(name) > old:
            continue
        with contextlib.suppress(psycopg.Error):
            drop_copy(url, name)
            dropped.append(name)
    return dropped
