"""The database at a glance: what the dashboard shows, from the catalog only (no count(*))."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text

_OVERVIEW = text(
    """
    select current_database() as database,
           current_setting('server_version') as server_version,
           pg_database_size(current_database()) as size_bytes,
           (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%') as table_count,
           (select count(*) from pg_namespace n where n.nspname not in ('pg_catalog', 'information_schema')
               and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%') as schema_count,
           (select coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
             where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema'))
               as estimated_rows,
           current_setting('transaction_read_only') = 'on' as read_only,
           current_user::text as role_name,
           coalesce((select r.rolsuper from pg_roles r where r.rolname = current_user), false) as superuser,
           coalesce((select pg_has_role(d.datdba, 'MEMBER') from pg_database d
                      where d.datname = current_database()), false) as owns_database,
           array(select n.nspname::text from pg_namespace n
                  where n.nspname not in ('pg_catalog', 'information_schema')
                    and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
                  order by n.nspname) as schemas,
           array(select word::text from pg_get_keywords() where catcode in ('R', 'T')) as reserved_words
    """
)


@dataclass(frozen=True, slots=True)
class DatabaseOverview:
    database: str
    server_version: str
    size_bytes: int
    table_count: int
    schema_count: int
    estimated_rows: int
    read_only: bool
    role_name: str = ""
    superuser: bool = False
    owns_database: bool = False  # the role is the database's owner, or a member of the owner role
    schemas: tuple[str, ...] = ()
    reserved_words: frozenset[str] = frozenset()  # the server's keywords that an identifier must be quoted for

    @property
    def server_major(self) -> int:
        return int(self.server_version.split(".")[0].split()[0])


def database_overview(engine: Engine) -> DatabaseOverview:
    with engine.connect() as conn:
        row = conn.execute(_OVERVIEW).mappings().one()
    return DatabaseOverview(**{**row, "schemas": tuple(row["schemas"] or ()),
                               "reserved_words": frozenset(row["reserved_words"] or ())})


def human_size(size_bytes: int) -> str:
    """1536 -> '1.5 kB' (PostgreSQL's pg_size_pretty style, decimal-free for bytes)."""
    value = float(size_bytes)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


_USER_TABLES = text(
    "select schemaname, tablename from pg_catalog.pg_tables where schemaname not in "
    "('pg_catalog', 'information_schema') and schemaname not like 'pg_temp%'")


def user_tables(engine: Engine) -> set[tuple[str, str]]:
    """(schema, table) of every user table."""
    with engine.connect() as conn:
        return {(r[0], r[1]) for r in conn.execute(_USER_TABLES)}


def user_table_count(engine: Engine, *, besides: str = "alembic_version") -> int:
    """How many user tables exist, not counting tables named ``besides`` (the version table)."""
    with engine.connect() as conn:
        return int(conn.execute(text(
            "select count(*) from pg_catalog.pg_tables where schemaname not in ('pg_catalog', "
            "'information_schema') and tablename <> :besides"), {"besides": besides}).scalar_one())


def server_major(engine: Engine) -> int:
    """The server's major version (12, 16, ...)."""
    with engine.connect() as conn:
        return int(conn.execute(text("select current_setting('server_version_num')::int / 10000")).scalar_one())
