"""Facts a copy of the database needs: each user table's size, estimated rows and copyable columns, and the
foreign keys between tables (a sample of a table must not leave rows of another without their parent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

_TABLES = """
select n.nspname::text, c.relname::text, pg_catalog.pg_total_relation_size(c.oid)::bigint,
       greatest(c.reltuples, 0)::float8,
       array(select a.attname::text from pg_catalog.pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped {generated}
              order by a.attnum)
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where c.relkind = 'r' and n.nspname <> 'information_schema'
   and n.nspname not like 'pg\\_%'
 order by 1, 2"""

_FOREIGN_KEYS = """
select cn.nspname::text, c.relname::text, pn.nspname::text, p.relname::text,
       array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i)
              join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i),
       array(select a.attname::text from unnest(k.confkey) with ordinality u(n, i)
              join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.n order by u.i)
  from pg_catalog.pg_constraint k
  join pg_catalog.pg_class c on c.oid = k.conrelid join pg_catalog.pg_namespace cn on cn.oid = c.relnamespace
  join pg_catalog.pg_class p on p.oid = k.confrelid join pg_catalog.pg_namespace pn on pn.oid = p.relnamespace
 where k.contype = 'f' and cn.nspname not like 'pg\\_%' and cn.nspname <> 'information_schema'
 order by 1, 2"""


@dataclass(frozen=True, slots=True)
class TableSize:
    schema: str
    name: str
    total_bytes: int  # with indexes and TOAST
    estimated_rows: float
    columns: tuple[str, ...]  # the columns a COPY can write (generated ones left out)


@dataclass(frozen=True, slots=True)
class ForeignKeyPair:
    schema: str
    table: str
    ref_schema: str
    ref_table: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]


def table_sizes(conn: psycopg.Connection[Any]) -> list[TableSize]:
    """Every table that holds rows (a partitioned table's partitions each on their own), with its total size."""
    generated = "and a.attgenerated = ''" if conn.info.server_version >= 120000 else ""
    query = _TABLES.format(generated=generated)
    return [TableSize(s, n, int(size), float(rows), tuple(cols))
            for s, n, size, rows, cols in conn.execute(query)]


def foreign_key_pairs(conn: psycopg.Connection[Any]) -> list[ForeignKeyPair]:
    return [ForeignKeyPair(s, t, rs, rt, tuple(c), tuple(rc))
            for s, t, rs, rt, c, rc in conn.execute(_FOREIGN_KEYS)]
