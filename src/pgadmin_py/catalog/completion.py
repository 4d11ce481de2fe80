"""The names the SQL editor completes: schemas, tables and views with their columns, functions, keywords.

Read in four short queries and kept by the console per :func:`names_version`, which changes when a
relation, a column, a constraint, an index (the catalog fingerprint), a schema or a user function changes.
Built-in functions are listed without the ones a user never calls by name (type input/output, operator and
cast implementations, functions of internal types).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import RELKINDS, USER_SCHEMAS, catalog_fingerprint


@dataclass(frozen=True, slots=True)
class Relation:
    schema: str
    name: str
    kind: str  # table | partitioned table | view | materialized view | foreign table
    columns: tuple[tuple[str, str], ...]  # (name, type) in column order


@dataclass(frozen=True, slots=True)
class CompletionNames:
    schemas: tuple[str, ...]
    search_path: tuple[str, ...]  # the schemas whose objects need no qualification
    relations: tuple[Relation, ...]
    functions: tuple[tuple[str, str], ...]  # (schema, name), distinct
    keywords: tuple[str, ...]  # PostgreSQL's own list (pg_get_keywords), lower case


_OTHER_NAMES = text(f"""
select md5(coalesce((select string_agg(n.nspname, ',' order by n.nspname) from pg_namespace n where {USER_SCHEMAS}), '')
           || '|' || coalesce((select string_agg(p.oid::text || p.proname, ',' order by p.oid)
                                 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                                where {USER_SCHEMAS}), '')
           || '|' || current_schemas(false)::text)""")

_SCHEMAS = text(f"""
select n.nspname as name from pg_namespace n where {USER_SCHEMAS} order by 1""")

_RELATIONS = text(f"""
select n.nspname as schema, c.relname as name, c.relkind as kind,
       array(select a.attname::text from pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
       array(select format_type(a.atttypid, a.atttypmod) from pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as types
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p', 'v', 'm', 'f') and {USER_SCHEMAS}
 order by 1, 2""")

_FUNCTIONS = text(f"""
select distinct n.nspname as schema, p.proname as name
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where ({USER_SCHEMAS})
    or (n.nspname = 'pg_catalog' and p.proname !~ '^_'
        and p.prorettype::regtype::text not in ('internal', 'cstring', 'trigger', 'event_trigger', 'language_handler',
              'fdw_handler', 'index_am_handler', 'tsm_handler', 'table_am_handler')
        and not 'internal'::regtype = any(p.proargtypes) and not 'cstring'::regtype = any(p.proargtypes)
        and not exists (select 1 from pg_operator o where o.oprcode = p.oid)
        and not exists (select 1 from pg_cast k where k.castfunc = p.oid))
 order by 1, 2""")

_KEYWORDS = text("select word from pg_get_keywords() order by word")
_SEARCH_PATH = text("select unnest(current_schemas(false))::text")


def names_version(engine: Engine) -> str:
    """Changes whenever anything :func:`completion_names` reads changes (two cheap queries)."""
    with engine.connect() as conn:
        others = str(conn.execute(_OTHER_NAMES).scalar_one())
    return f"{catalog_fingerprint(engine)[:16]}{others[:16]}"


def completion_names(engine: Engine) -> CompletionNames:
    with engine.connect() as conn:
        schemas = tuple(conn.execute(_SCHEMAS).scalars())
        search_path = tuple(conn.execute(_SEARCH_PATH).scalars())
        relations = tuple(Relation(r.schema, r.name, RELKINDS[r.kind], tuple(zip(r.columns, r.types, strict=True)))
                          for r in conn.execute(_RELATIONS))
        functions = tuple((f.schema, f.name) for f in conn.execute(_FUNCTIONS))
        keywords = tuple(conn.execute(_KEYWORDS).scalars())
    return CompletionNames(schemas, search_path, relations, functions, keywords)
