"""Keys across tables from pg_catalog: the primary keys foreign keys point at, and each foreign key's
ON DELETE rule. Small reads for pages that need no full table description."""

from __future__ import annotations

from collections.abc import Iterable

from psycopg.rows import dict_row
from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import FK_ACTIONS, USER_SCHEMAS
from pgadmin_py.db.engine import autocommit_connection

_REF_PKS = """
select n.nspname as schema, c.relname as name,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
  join unnest(%(schemas)s::text[], %(names)s::text[]) as w(s, t) on w.s = n.nspname and w.t = c.relname
 where con.contype = 'p'"""

_FK_RULES = text(f"""
select n.nspname as schema, c.relname as "table", con.confdeltype as on_delete,
       array(select attname::text from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute on attrelid = con.conrelid and attnum = k.n order by k.i) as columns
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
 where con.contype = 'f' and {USER_SCHEMAS}""")


def primary_keys(engine: Engine, tables: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(schema, table) -> its primary key's columns in key order, for each of ``tables`` that has one."""
    wanted = list(tables)
    if not wanted:
        return {}
    with autocommit_connection(engine) as raw, raw.cursor(row_factory=dict_row) as cur:
        cur.execute(_REF_PKS, {"schemas": [s for s, _ in wanted], "names": [t for _, t in wanted]})
        return {(r["schema"], r["name"]): tuple(r["columns"]) for r in cur.fetchall()}


def delete_rules(engine: Engine) -> dict[tuple[str, tuple[str, ...]], str]:
    """(table as the models name it: bare in ``public``, else "schema.table"; FK columns) -> ON DELETE rule."""
    with engine.connect() as conn:
        rows = conn.execute(_FK_RULES).mappings().all()
    return {(r["table"] if r["schema"] == "public" else f'{r["schema"]}.{r["table"]}', tuple(r["columns"])):
            FK_ACTIONS[r["on_delete"]] for r in rows}
