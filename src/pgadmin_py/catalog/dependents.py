"""What a targeted backup must hold for some tables to be restored alone: the tables and what hangs on them.

Starting from the tables a migration touches, the closure adds every table whose rows can change or whose
definition stands in the way when they are dropped and recreated: tables with a foreign key to one of them
(ON DELETE CASCADE / SET NULL change their rows; their constraint blocks the DROP), partitions and inheritance
children, and views over them. For each table in it: its indexes and its own sequences (serial / identity),
which the archive's table of contents names without saying whose they are. User triggers are reported: a
trigger may write tables nobody named, so their owner's backup must be a full one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from pgadmin_py.catalog.tables import USER_SCHEMAS

_CLOSURE = """
with recursive closure(oid) as (
  select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join unnest(%(schemas)s::text[], %(names)s::text[]) as t(s, r)
      on n.nspname = coalesce(t.s, current_schema()) and c.relname = t.r
   where c.relkind in ('r', 'p')
  union
  select x.oid from closure k cross join lateral (
      select con.conrelid as oid from pg_constraint con where con.contype = 'f' and con.confrelid = k.oid
      union all
      select i.inhrelid from pg_inherits i where i.inhparent = k.oid
      union all
      select r.ev_class from pg_depend d join pg_rewrite r on r.oid = d.objid
       where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass and d.refobjid = k.oid
         and r.ev_class <> k.oid) x
)
select n.nspname as schema, c.relname as name, c.relkind as kind, c.oid
  from closure k join pg_class c on c.oid = k.oid join pg_namespace n on n.oid = c.relnamespace
 order by 1, 2"""

_HANGING = """
select 'index' as what, n.nspname as schema, ic.relname as name
  from pg_index x join pg_class ic on ic.oid = x.indexrelid join pg_namespace n on n.oid = ic.relnamespace
 where x.indrelid = any(%(oids)s)
union all
select 'sequence', n.nspname, s.relname
  from pg_depend d join pg_class s on s.oid = d.objid join pg_namespace n on n.oid = s.relnamespace
 where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.refobjid = any(%(oids)s)
   and d.deptype in ('a', 'i') and s.relkind = 'S'
union all
select 'trigger', n.nspname, c.relname || ': ' || t.tgname
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
 where t.tgrelid = any(%(oids)s) and not t.tgisinternal
order by 1, 2, 3"""

_ALL_TABLES = f"""
select n.nspname as schema, c.relname as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'm') and {USER_SCHEMAS}
 order by 1, 2"""

Name = tuple[str, str]  # (schema, name)


@dataclass(frozen=True, slots=True)
class Closure:
    tables: tuple[Name, ...]  # the touched tables and the tables that must be restored with them
    views: tuple[Name, ...]  # views and materialized views over them
    indexes: tuple[Name, ...]
    sequences: tuple[Name, ...]
    triggers: tuple[str, ...]  # "schema.table: trigger" of user triggers on the tables
    others: tuple[Name, ...]  # every other table and materialized view: their rows stay out of the backup


def closure(conn: psycopg.Connection[Any], touched: list[tuple[str | None, str]]) -> Closure:
    """The closure of ``touched`` ((schema or None for the current schema, table); missing ones are skipped)."""
    def rows(query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            return list(cur.execute(query, params).fetchall())

    found = rows(_CLOSURE, {"schemas": [s for s, _ in touched], "names": [n for _, n in touched]})
    tables = tuple((r["schema"], r["name"]) for r in found if r["kind"] in ("r", "p"))
    views = tuple((r["schema"], r["name"]) for r in found if r["kind"] in ("v", "m"))
    hanging = rows(_HANGING, {"oids": [r["oid"] for r in found]}) if found else []
    kept = set(tables) | set(views)
    return Closure(tables, views,
                   tuple((r["schema"], r["name"]) for r in hanging if r["what"] == "index"),
                   tuple((r["schema"], r["name"]) for r in hanging if r["what"] == "sequence"),
                   tuple(f"{r['schema']}.{r['name']}" for r in hanging if r["what"] == "trigger"),
                   tuple(n for r in rows(_ALL_TABLES) if (n := (r["schema"], r["name"])) not in kept))
