"""Catalog facts a migration review needs: tables by the name a statement gives them (resolved through the
search_path, as the migration's own session would), column types as OIDs, casts, function volatility,
index owners, who holds locks on which table, and how much each table changed.

Read-only, on a psycopg connection the caller owns (the review runs all of it in one READ ONLY transaction).
Names from a statement reach SQL only as bound parameters (``to_regclass``); the identifiers returned here
are the catalog's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str | None, name: str) -> str:
    """``"schema"."name"`` (or ``"name"``), for ``to_regclass`` / ``to_regtype`` parameters."""
    return (quote_ident(schema) + "." if schema else "") + quote_ident(name)


@dataclass(frozen=True, slots=True)
class ColumnFact:
    name: str
    type_oid: int
    typmod: int
    type_name: str  # format_type(): "character varying(50)", "numeric(10,2)"
    base_name: str  # pg_type.typname: "varchar", "numeric", an enum's name
    category: str  # pg_type.typcategory: S string, N numeric, D date/time, E enum, ...
    not_null: bool
    has_default: bool

    @property
    def length(self) -> int | None:
        """The declared length of varchar(n) / char(n), else None."""
        return self.typmod - 4 if self.base_name in ("varchar", "bpchar") and self.typmod >= 4 else None

    @property
    def numeric(self) -> tuple[int, int] | None:
        """(precision, scale) of numeric(p, s), else None."""
        if self.base_name != "numeric" or self.typmod < 4:
            return None
        mod = self.typmod - 4
        return (mod >> 16) & 0xFFFF, mod & 0xFFFF


@dataclass(frozen=True, slots=True)
class Referrer:
    """A foreign key of another table pointing at this one."""

    oid: int
    schema: str
    table: str
    constraint: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TableFact:
    oid: int
    schema: str
    name: str
    kind: str  # pg_class.relkind
    estimated_rows: int | None  # None: never analysed
    total_bytes: int
    columns: tuple[ColumnFact, ...]
    primary_key: tuple[str, ...]
    not_null_checks: frozenset[str]  # columns a valid CHECK (col IS NOT NULL) covers (SET NOT NULL skips its scan)
    referrers: tuple[Referrer, ...]

    def column(self, name: str) -> ColumnFact | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True, slots=True)
class IndexFact:
    schema: str
    name: str
    table: TableFact
    unique: bool
    primary: bool


@dataclass(frozen=True, slots=True)
class LockHolder:
    """A session holding or waiting for a lock on one of the tables."""

    relation: int
    mode: str  # pg_locks.mode: AccessShareLock ...
    granted: bool
    pid: int
    application_name: str
    user: str
    state: str  # active, idle in transaction, ...
    backend_type: str
    transaction_seconds: float | None  # since xact_start
    state_seconds: float | None  # since state_change
    query: str
    waiting: bool  # the session itself waits for a lock


_TABLE = """
select c.oid, n.nspname, c.relname, c.relkind,
       case when c.reltuples < 0 or (c.reltuples = 0 and c.relpages = 0) then null else c.reltuples::bigint end,
       (c.relpages + coalesce((select t.relpages from pg_catalog.pg_class t where t.oid = c.reltoastrelid), 0)
        + coalesce((select sum(i.relpages) from pg_catalog.pg_index x join pg_catalog.pg_class i
                     on i.oid = x.indexrelid where x.indrelid = c.oid), 0))::int8
         * current_setting('block_size')::int8
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where c.oid = pg_catalog.to_regclass(%s)"""
_SIZE = "select pg_catalog.pg_total_relation_size(%s)"
_COLUMNS = """
select a.attname, a.atttypid, a.atttypmod, pg_catalog.format_type(a.atttypid, a.atttypmod), t.typname,
       t.typcategory, a.attnotnull, a.atthasdef
  from pg_catalog.pg_attribute a join pg_catalog.pg_type t on t.oid = a.atttypid
 where a.attrelid = %s and a.attnum > 0 and not a.attisdropped order by a.attnum"""
_CONSTRAINTS = """
select con.contype, pg_catalog.pg_get_constraintdef(con.oid), con.convalidated,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord)
  from pg_catalog.pg_constraint con where con.conrelid = %s and con.contype in ('p', 'c')"""
_REFERRERS = """
select con.conrelid, n.nspname, c.relname, con.conname,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
             join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord)
  from pg_catalog.pg_constraint con join pg_catalog.pg_class c on c.oid = con.conrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where con.confrelid = %s and con.contype = 'f' order by n.nspname, c.relname, con.conname"""
_INDEX = """
select n.nspname, i.relname, x.indrelid, x.indisunique, x.indisprimary
  from pg_catalog.pg_index x join pg_catalog.pg_class i on i.oid = x.indexrelid
  join pg_catalog.pg_namespace n on n.oid = i.relnamespace
 where x.indexrelid = pg_catalog.to_regclass(%s)"""
_LOCKS = """
select l.relation::oid::int8, l.mode, l.granted, a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''),
       coalesce(a.state, ''), coalesce(a.backend_type, ''),
       extract(epoch from clock_timestamp() - a.xact_start)::float8,
       extract(epoch from clock_timestamp() - a.state_change)::float8,
       left(coalesce(a.query, ''), 300), coalesce(a.wait_event_type = 'Lock', false)
  from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid
 where l.locktype = 'relation' and l.relation = any(%s)
   and l.database = (select oid from pg_catalog.pg_database where datname = current_database())
   and l.pid <> pg_catalog.pg_backend_pid()
 order by a.xact_start nulls last, a.pid"""


def _not_null_column(definition: str) -> str | None:
    """The column of ``CHECK ((col IS NOT NULL))`` as pg_get_constraintdef writes it, else None."""
    body = definition.strip()
    if not body.upper().startswith("CHECK ((") or not body.upper().endswith(" IS NOT NULL))"):
        return None
    column = body[len("CHECK (("):-len(" IS NOT NULL))")]
    if column.startswith('"') and column.endswith('"'):
        return column[1:-1].replace('""', '"')
    return column if column.replace("_", "").isalnum() else None


def find_table(conn: psycopg.Connection[Any], schema: str | None, name: str) -> TableFact | None:
    """The table (or partitioned table, or materialized view) this name means on this session, or None."""
    row = conn.execute(_TABLE, (qualified(schema, name),)).fetchone()
    if row is None:
        return None
    oid = int(row[0])
    try:  # the files' size; it waits for the table's lock: under somebody's ACCESS EXCLUSIVE, the page counts
        with conn.transaction():
            size = conn.execute(_SIZE, (oid,)).fetchone()
        total = int(size[0]) if size and size[0] is not None else int(row[5])
    except psycopg.errors.LockNotAvailable:
        total = int(row[5])
    columns = tuple(ColumnFact(r[0], int(r[1]), int(r[2]), r[3], r[4], str(r[5]), bool(r[6]), bool(r[7]))
                    for r in conn.execute(_COLUMNS, (oid,)))
    primary: tuple[str, ...] = ()
    checks: set[str] = set()
    for kind, definition, valid, keys in conn.execute(_CONSTRAINTS, (oid,)):
        if kind == "p":
            primary = tuple(keys)
        elif valid and (column := _not_null_column(definition)) is not None:
            checks.add(column)
    referrers = tuple(Referrer(int(r[0]), r[1], r[2], r[3], tuple(r[4])) for r in conn.execute(_REFERRERS, (oid,)))
    return TableFact(oid, row[1], row[2], str(row[3]), None if row[4] is None else int(row[4]), total,
                     columns, primary, frozenset(checks), referrers)


def find_index(conn: psycopg.Connection[Any], schema: str | None, name: str) -> IndexFact | None:
    row = conn.execute(_INDEX, (qualified(schema, name),)).fetchone()
    if row is None:
        return None
    table_row = conn.execute("select n.nspname, c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n "
                             "on n.oid = c.relnamespace where c.oid = %s", (row[2],)).fetchone()
    table = find_table(conn, table_row[0], table_row[1]) if table_row else None
    if table is None:
        return None
    return IndexFact(row[0], row[1], table, bool(row[3]), bool(row[4]))


@dataclass(frozen=True, slots=True)
class TypeFact:
    oid: int
    name: str  # pg_type.typname
    category: str  # pg_type.typcategory
    unmodified: str  # format_type(oid, NULL): the type without a length or precision, as SQL writes it


def find_type(conn: psycopg.Connection[Any], type_text: str) -> TypeFact | None:
    """A type as a statement writes it (``varchar(20)``, ``public.mood``), or None when it does not exist."""
    try:
        with conn.transaction():
            row = conn.execute("select t.oid, t.typname, t.typcategory, pg_catalog.format_type(t.oid, null) "
                               "from pg_catalog.pg_type t where t.oid = pg_catalog.to_regtype(%s)",
                               (type_text,)).fetchone()
    except psycopg.Error:  # to_regtype raises on a syntax error in the text (PostgreSQL < 16)
        return None
    return TypeFact(int(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None


def cast(conn: psycopg.Connection[Any], source: int, target: int) -> tuple[str, str] | None:
    """(castcontext, castmethod) of pg_cast's entry from ``source`` to ``target``: context e(xplicit) /
    a(ssignment) / i(mplicit), method f(unction) / i(nout) / b(inary coercible). None: no entry."""
    row = conn.execute("select castcontext, castmethod from pg_catalog.pg_cast where castsource = %s "
                       "and casttarget = %s", (source, target)).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def volatility(conn: psycopg.Connection[Any], schema: str | None, name: str) -> str | None:
    """The most volatile of the functions called ``name``: 'v' volatile, 's' stable, 'i' immutable."""
    row = conn.execute("select max(p.provolatile::text) from pg_catalog.pg_proc p join pg_catalog.pg_namespace n "
                       "on n.oid = p.pronamespace where p.proname = %s and (%s::text is null or n.nspname = %s)",
                       (name, schema, schema)).fetchone()
    return str(row[0]) if row and row[0] else None


def server_version(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("select current_setting('server_version_num')::int").fetchone()
    return int(row[0]) if row else 0


def lock_holders(conn: psycopg.Connection[Any], relations: list[int]) -> list[LockHolder]:
    """Sessions holding or waiting for a lock on these tables, oldest transaction first."""
    if not relations:
        return []
    return [LockHolder(int(r[0]), str(r[1]), bool(r[2]), int(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10],
                       bool(r[11])) for r in conn.execute(_LOCKS, (relations,))]


def change_counter(conn: psycopg.Connection[Any], relations: list[int]) -> str:
    """A value that changes when rows of these tables are inserted, updated or deleted (the statistics
    collector's counters, flushed within a second or so): part of a data check's cache key."""
    if not relations:
        return ""
    row = conn.execute("select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), coalesce(sum(n_live_tup), 0) "
                       "from pg_catalog.pg_stat_user_tables where relid = any(%s)", (relations,)).fetchone()
    return f"{row[0]}:{row[1]}" if row else ""
