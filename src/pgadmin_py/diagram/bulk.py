"""Every table's description in five queries instead of five per table.

``catalog.tables.all_tables`` reads one table at a time (about 500 round trips for 100 tables), which is
fine for one table page but slow for a whole-database diagram, and slower still on a busy server. The
rows have the same shapes as the catalog's per-table queries, so the catalog's own row converters build
the same :class:`TableInfo` records. (A candidate to move into ``catalog/`` as ``all_tables``.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, bindparam, text

from pgadmin_py.catalog.tables import (
    RELKINDS,
    USER_SCHEMAS,
    CheckConstraint,
    Index,
    TableInfo,
    _column,
    _fk,
)

_TABLES = text(f"""
select c.oid, n.nspname as schema, c.relname as name, c.relkind as kind,
       case when c.reltuples < 0 then null else c.reltuples::bigint end as estimated_rows,
       pg_total_relation_size(c.oid) as total_bytes, obj_description(c.oid, 'pg_class') as comment
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p') and not c.relispartition and {USER_SCHEMAS}
 order by n.nspname, c.relname""")

_COLUMNS = text("""
select a.attrelid as oid, a.attname as name, format_type(a.atttypid, a.atttypmod) as type_name,
       a.attnum as position, not a.attnotnull as nullable, pg_get_expr(d.adbin, d.adrelid) as "default",
       nullif(a.attidentity, '') as identity, a.attgenerated <> '' as generated,
       t.typcategory = 'A' as is_array, coalesce(e.typname, t.typname) as base_type,
       coalesce(e.typtype, t.typtype) as typtype, a.atttypmod as typmod,
       case when coalesce(e.typtype, t.typtype) = 'e' then
            array(select enumlabel::text from pg_enum where enumtypid = coalesce(e.oid, t.oid) order by enumsortorder)
       end as enum_values,
       col_description(a.attrelid, a.attnum) as comment
  from pg_attribute a
  join pg_type t on t.oid = a.atttypid
  left join pg_type e on t.typcategory = 'A' and e.oid = t.typelem
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where a.attrelid = any(:oids) and a.attnum > 0 and not a.attisdropped
 order by a.attrelid, a.attnum""").bindparams(bindparam("oids"))

_FKS = text("""
select con.conrelid as oid, con.confrelid as ref_oid, con.conname as name, sn.nspname as schema,
       sc.relname as "table",
       array(select attname::text from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute on attrelid = con.conrelid and attnum = k.n order by k.i) as columns,
       rn.nspname as ref_schema, rc.relname as ref_table,
       array(select attname::text from unnest(con.confkey) with ordinality k(n, i)
               join pg_attribute on attrelid = con.confrelid and attnum = k.n order by k.i) as ref_columns,
       con.confdeltype as on_delete, con.confupdtype as on_update
  from pg_constraint con
  join pg_class sc on sc.oid = con.conrelid join pg_namespace sn on sn.oid = sc.relnamespace
  join pg_class rc on rc.oid = con.confrelid join pg_namespace rn on rn.oid = rc.relnamespace
 where con.contype = 'f' and (con.conrelid = any(:oids) or con.confrelid = any(:oids))
 order by con.conname""").bindparams(bindparam("oids"))

_CONSTRAINTS = text("""
select con.conrelid as oid, con.contype as type, con.conname as name,
       pg_get_constraintdef(con.oid) as definition,
       array(select attname::text from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute on attrelid = con.conrelid and attnum = k.n order by k.i) as columns
  from pg_constraint con
 where con.conrelid = any(:oids) and con.contype in ('p', 'u', 'c')
 order by con.conname""").bindparams(bindparam("oids"))

_INDEXES = text("""
select ix.indrelid as oid, ic.relname as name, ix.indisunique as unique, ix.indisprimary as primary,
       pg_get_indexdef(ix.indexrelid) as definition,
       array(select attname::text from unnest(ix.indkey) with ordinality k(n, i)
               join pg_attribute on attrelid = ix.indrelid and attnum = k.n where k.n > 0 order by k.i) as columns
  from pg_index ix join pg_class ic on ic.oid = ix.indexrelid
 where ix.indrelid = any(:oids)
 order by ic.relname""").bindparams(bindparam("oids"))


def read_all_tables(engine: Engine) -> list[TableInfo]:
    """The same records as ``catalog.tables.all_tables(engine)``, in five round trips."""
    with engine.connect() as conn:
        heads = conn.execute(_TABLES).mappings().all()
        oids = [int(h["oid"]) for h in heads]
        if not oids:
            return []
        columns: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(_COLUMNS, {"oids": oids}).mappings():
            columns[int(row["oid"])].append(_column(dict(row)))
        outgoing: dict[int, list[Any]] = defaultdict(list)
        incoming: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(_FKS, {"oids": oids}).mappings():
            fk = _fk(dict(row))
            outgoing[int(row["oid"])].append(fk)
            incoming[int(row["ref_oid"])].append(fk)
        constraints: dict[int, list[Any]] = defaultdict(list)
        for row in conn.execute(_CONSTRAINTS, {"oids": oids}).mappings():
            constraints[int(row["oid"])].append(row)
        indexes: dict[int, list[Index]] = defaultdict(list)
        for row in conn.execute(_INDEXES, {"oids": oids}).mappings():
            indexes[int(row["oid"])].append(Index(name=row["name"], columns=tuple(row["columns"]),
                                                  unique=row["unique"], primary=row["primary"],
                                                  definition=row["definition"]))
    out = []
    for head in heads:
        oid = int(head["oid"])
        cons = constraints[oid]
        out.append(TableInfo(
            oid=oid, schema=head["schema"], name=head["name"], kind=RELKINDS[head["kind"]],
            columns=tuple(columns[oid]),
            primary_key=next((tuple(c["columns"]) for c in cons if c["type"] == "p"), ()),
            foreign_keys=tuple(outgoing[oid]), referenced_by=tuple(incoming[oid]), indexes=tuple(indexes[oid]),
            unique_constraints=tuple(tuple(c["columns"]) for c in cons if c["type"] == "u"),
            checks=tuple(CheckConstraint(c["name"], c["definition"]) for c in cons if c["type"] == "c"),
            estimated_rows=head["estimated_rows"], total_bytes=head["total_bytes"], comment=head["comment"]))
    return out
