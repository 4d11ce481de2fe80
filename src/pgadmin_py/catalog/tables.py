"""Tables, views and their columns, keys, foreign keys and indexes, from pg_catalog.

Everything downstream (browser, records, forms, diagram, drift) learns the database's shape here:
identifiers that reach SQL come only from these records, never from a URL or a form.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from psycopg.rows import dict_row
from sqlalchemy import Connection, Engine, RowMapping, bindparam, text

from pgadmin_py.core.errors import NotFound
from pgadmin_py.db.engine import autocommit_connection

USER_SCHEMAS = """n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'"""
RELKINDS = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "f": "foreign table"}
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@dataclass(frozen=True, slots=True)
class RelationSummary:
    schema: str
    name: str
    kind: str  # a value of RELKINDS
    estimated_rows: int | None  # None: never analysed (reltuples = -1; before PostgreSQL 14, 0 with 0 pages)
    total_bytes: int
    comment: str | None
    size_estimated: bool  # total_bytes from the catalog's page counts (list_relations), not the files
    parent_schema: str | None = None  # a partition's partitioned table (pg_inherits), else None
    parent_name: str | None = None
    populated: bool = True  # False: a materialized view created WITH NO DATA and never refreshed

    @property
    def is_table(self) -> bool:
        return self.kind in ("table", "partitioned table")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type_name: str  # as PostgreSQL formats it: "character varying(50)", "numeric(14,2)", "text[]"
    base_type: str  # pg_type.typname of the column's type, or of the element for arrays ("int4", "my_enum")
    type_kind: str  # "base", "enum", "domain", "range", "composite", "pseudo"
    is_array: bool
    nullable: bool
    default: str | None
    identity: str | None  # "always" / "by default" / None
    generated: bool
    position: int
    max_length: int | None
    numeric_precision: int | None
    numeric_scale: int | None
    enum_values: tuple[str, ...] | None
    comment: str | None

    @property
    def writable(self) -> bool:
        return not self.generated and self.identity != "always"


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    schema: str
    table: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str  # a value of FK_ACTIONS
    on_update: str
    targets_pk: bool = False  # ref_columns are the referenced table's primary key (its row URL), not a unique key


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]  # empty for expression-only indexes
    unique: bool
    primary: bool
    definition: str


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    name: str
    definition: str


@dataclass(frozen=True, slots=True)
class TableInfo:
    oid: int
    schema: str
    name: str
    kind: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]  # outgoing
    referenced_by: tuple[ForeignKey, ...]  # incoming, from any table (self-references included)
    indexes: tuple[Index, ...]
    unique_constraints: tuple[tuple[str, ...], ...]
    checks: tuple[CheckConstraint, ...]
    estimated_rows: int | None
    total_bytes: int
    comment: str | None
    populated: bool = True  # False: a materialized view never populated (WITH NO DATA); reading it fails

    @property
    def is_table(self) -> bool:
        return self.kind in ("table", "partitioned table")

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise NotFound(f'{self.schema}.{self.name} has no column "{name}"',
                       f"Its columns are: {', '.join(c.name for c in self.columns)}.")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# Sizes: for a relation with pages on record (VACUUM, ANALYZE or CREATE INDEX set relpages), the pages of
# the table, its TOAST table and all their indexes, from the catalog. pg_total_relation_size() stats every
# fork of every file instead: 16 stat calls per small table, 8 ms for 100 tables on a VM, most of the list's
# time. Like reltuples, the estimate is as fresh as the last (auto)vacuum or analyse; it leaves out the
# free-space and visibility maps (a few pages a table). Never-analysed relations (no pages on record: new,
# small or without storage) are measured exactly. Partitions are listed with their parent (pg_inherits; a
# partition has exactly one), which the browser nests them under (browser/relations.py).
_RELATIONS = f"""
with index_pages as (
  select x.indrelid, sum(i.relpages)::bigint as pages
    from pg_index x join pg_class i on i.oid = x.indexrelid group by x.indrelid)
select n.nspname as schema, c.relname as name, c.relkind as kind,
       case when c.reltuples < 0 or (c.reltuples = 0 and c.relpages = 0) then null
            else c.reltuples::bigint end as estimated_rows,
       case when c.relpages > 0 then
              (c.relpages::bigint + coalesce(t.relpages, 0) + coalesce(ci.pages, 0) + coalesce(ti.pages, 0))
              * current_setting('block_size')::bigint
            else pg_total_relation_size(c.oid) end as total_bytes,
       c.relpages > 0 as size_estimated, d.description as comment,
       pn.nspname as parent_schema, pc.relname as parent_name, c.relispopulated as populated
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  left join pg_inherits inh on c.relispartition and inh.inhrelid = c.oid
  left join pg_class pc on pc.oid = inh.inhparent
  left join pg_namespace pn on pn.oid = pc.relnamespace
  left join pg_class t on t.oid = c.reltoastrelid
  left join index_pages ci on ci.indrelid = c.oid
  left join index_pages ti on ti.indrelid = c.reltoastrelid
  left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
 where c.relkind in ('r', 'p', 'v', 'm', 'f') and {USER_SCHEMAS}
 order by n.nspname, c.relname"""  # plain SQL: run on the driver connection (no parameters)

_RESOLVE = text(f"""
select c.oid, n.nspname as schema, c.relname as name, c.relkind as kind,
       case when c.reltuples < 0 or (c.reltuples = 0 and c.relpages = 0) then null
            else c.reltuples::bigint end as estimated_rows,
       pg_total_relation_size(c.oid) as total_bytes, obj_description(c.oid, 'pg_class') as comment,
       c.relispopulated as populated
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname = :schema and c.relname = :name and c.relkind in ('r', 'p', 'v', 'm', 'f') and {USER_SCHEMAS}""")

_TABLES = text(f"""
select c.oid, n.nspname as schema, c.relname as name, c.relkind as kind,
       case when c.reltuples < 0 or (c.reltuples = 0 and c.relpages = 0) then null
            else c.reltuples::bigint end as estimated_rows,
       pg_total_relation_size(c.oid) as total_bytes, obj_description(c.oid, 'pg_class') as comment
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p') and not c.relispartition and {USER_SCHEMAS}
 order by n.nspname, c.relname""")

# The queries below describe any number of relations at once (``= any(:oids)``): one table page and a
# whole-database diagram share them, the latter in five round trips instead of five per table.
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
       con.confdeltype as on_delete, con.confupdtype as on_update,
       exists(select 1 from pg_constraint pk where pk.conrelid = con.confrelid and pk.contype = 'p'
                and (select array_agg(k order by k) from unnest(pk.conkey) k)
                  = (select array_agg(k order by k) from unnest(con.confkey) k)) as targets_pk
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


def list_relations(engine: Engine) -> list[RelationSummary]:
    """Every user table, partition, view and materialized view, with catalog estimates (never a count(*))."""
    with autocommit_connection(engine) as raw, raw.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_RELATIONS).fetchall()
    return [RelationSummary(**{**row, "kind": RELKINDS[row["kind"]]}) for row in rows]


def _typmod_facts(type_name: str, base: str, typmod: int) -> tuple[int | None, int | None, int | None]:
    if typmod < 0:
        return None, None, None
    if base in ("varchar", "bpchar", "bit", "varbit"):
        return (typmod - 4 if base in ("varchar", "bpchar") else typmod), None, None
    if base == "numeric":
        return None, ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    return None, None, None


def _column(row: dict[str, object]) -> Column:
    base, typmod = str(row["base_type"]), int(row["typmod"])  # type: ignore[call-overload]
    max_length, precision, scale = _typmod_facts(str(row["type_name"]), base, typmod)
    kinds = {"b": "base", "e": "enum", "d": "domain", "r": "range", "m": "range", "c": "composite", "p": "pseudo"}
    identity = {"a": "always", "d": "by default"}.get(str(row["identity"])) if row["identity"] else None
    enum_values = row["enum_values"]
    return Column(
        name=str(row["name"]), type_name=str(row["type_name"]), base_type=base,
        type_kind=kinds.get(str(row["typtype"]), "base"), is_array=bool(row["is_array"]),
        nullable=bool(row["nullable"]), default=row["default"] if row["default"] is not None else None,  # type: ignore[arg-type]
        identity=identity, generated=bool(row["generated"]), position=int(row["position"]),  # type: ignore[call-overload]
        max_length=max_length, numeric_precision=precision, numeric_scale=scale,
        enum_values=tuple(enum_values) if isinstance(enum_values, Iterable) else None,
        comment=row["comment"] if row["comment"] is not None else None,  # type: ignore[arg-type]
    )


def _fk(row: dict[str, object]) -> ForeignKey:
    return ForeignKey(
        name=str(row["name"]), schema=str(row["schema"]), table=str(row["table"]),
        columns=tuple(row["columns"]),  # type: ignore[arg-type]
        ref_schema=str(row["ref_schema"]), ref_table=str(row["ref_table"]),
        ref_columns=tuple(row["ref_columns"]),  # type: ignore[arg-type]
        on_delete=FK_ACTIONS[str(row["on_delete"])], on_update=FK_ACTIONS[str(row["on_update"])],
        targets_pk=bool(row["targets_pk"]),
    )


def _describe(conn: Connection, heads: Sequence[RowMapping]) -> list[TableInfo]:
    """Full descriptions of the relations whose catalog rows are ``heads``, in four more queries."""
    oids = [int(h["oid"]) for h in heads]
    if not oids:
        return []
    columns: dict[int, list[Column]] = defaultdict(list)
    for row in conn.execute(_COLUMNS, {"oids": oids}).mappings():
        columns[int(row["oid"])].append(_column(dict(row)))
    outgoing: dict[int, list[ForeignKey]] = defaultdict(list)
    incoming: dict[int, list[ForeignKey]] = defaultdict(list)
    for row in conn.execute(_FKS, {"oids": oids}).mappings():
        fk = _fk(dict(row))
        outgoing[int(row["oid"])].append(fk)
        incoming[int(row["ref_oid"])].append(fk)
    constraints: dict[int, list[RowMapping]] = defaultdict(list)
    for row in conn.execute(_CONSTRAINTS, {"oids": oids}).mappings():
        constraints[int(row["oid"])].append(row)
    indexes: dict[int, list[Index]] = defaultdict(list)
    for row in conn.execute(_INDEXES, {"oids": oids}).mappings():
        indexes[int(row["oid"])].append(Index(name=row["name"], columns=tuple(row["columns"]), unique=row["unique"],
                                              primary=row["primary"], definition=row["definition"]))
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
            estimated_rows=head["estimated_rows"], total_bytes=head["total_bytes"], comment=head["comment"],
            populated=head.get("populated", True)))
    return out


def read_table(conn: Connection, schema: str, name: str) -> TableInfo:
    """The full description of one relation; :class:`NotFound` when it is not a user table or view."""
    head = conn.execute(_RESOLVE, {"schema": schema, "name": name}).mappings().first()
    if head is None:
        raise NotFound(f'There is no table or view "{name}" in schema "{schema}".',
                       "Pick one from the list of tables; names are case-sensitive.")
    return _describe(conn, [head])[0]


def get_table(engine: Engine, schema: str, name: str) -> TableInfo:
    with engine.connect() as conn:
        return read_table(conn, schema, name)


def all_tables(engine: Engine, schemas: tuple[str, ...] | None = None) -> list[TableInfo]:
    """Full descriptions of every user table (not views), optionally limited to some schemas."""
    with engine.connect() as conn:
        heads = [h for h in conn.execute(_TABLES).mappings().all() if schemas is None or h["schema"] in schemas]
        return _describe(conn, heads)


_FINGERPRINT = text(f"""
select md5(coalesce(string_agg(x, '|' order by x), ''))
  from (select n.nspname::text || '.' || c.relname::text || ':' || c.relkind::text || ':' ||
               coalesce((select string_agg(a.attname::text || ' ' || a.atttypid::text || ' ' || a.attnotnull::text,
                                           ',' order by a.attnum)
                           from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '')
               || ':' || coalesce((select string_agg(pg_get_constraintdef(con.oid), ',' order by con.conname)
                           from pg_constraint con where con.conrelid = c.oid), '')
               || ':' || coalesce((select string_agg(i.indexrelid::regclass::text, ',' order by i.indexrelid)
                           from pg_index i where i.indrelid = c.oid), '') as x
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p', 'v', 'm') and {USER_SCHEMAS}) s""")


def catalog_fingerprint(engine: Engine) -> str:
    """Changes whenever a table, column, constraint or index changes: a cache key for derived views."""
    with engine.connect() as conn:
        return str(conn.execute(_FINGERPRINT).scalar_one())
