"""CLI parity: run a fixture project's own migration CLI exactly as its users do, and fingerprint the schema it left.

Every fixture reads ``DATABASE_URL`` (a plain ``postgresql://`` URL) from the environment when it is set, else its
ini's ``sqlalchemy.url`` (see tests/fixtures/projects/README.md), so the harness passes the database that way and
nothing else: no ``-x``, no edited ini, no ``PYTHONPATH``. The fingerprint is read from pg_catalog, normalized and
sorted, so two databases migrated by different routes compare equal exactly when their schemas are the same.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

import psycopg

from pgadmin_py.core.dburl import DatabaseUrl

CLI_TIMEOUT = 180

# The command each project's README would tell you to run from its root, before ``upgrade <rev>`` etc.
CLI: dict[str, tuple[str, ...]] = {
    "flask_migrate": ("-m", "flask", "db"),
    "cwd_relative": ("-m", "alembic", "-c", "config/alembic.ini"),
    "pkg_resource": ("-m", "alembic"),
    "stdlib_shadow": ("-m", "alembic", "-c", "shop/alembic.ini"),
    "data_migration": ("-m", "alembic"),
    "async_asyncio": ("-m", "alembic"),
    "async_anyio": ("-m", "alembic"),
    "branched": ("-m", "alembic"),
    "wrapper_fail": ("manage.py", "db"),
    "create_all": ("-m", "alembic"),
    "custom_types": ("-m", "alembic"),
    "sa14": ("-m", "alembic"),
    "fsqla2": ("-m", "flask", "db"),
}

# Variables of the developer's shell that would change what the project's CLI does: the harness runs as a fresh
# shell in the project directory would (``.flaskenv`` supplies FLASK_APP, the project's own venv its packages).
_SCRUBBED = ("PYTHONPATH", "FLASK_APP", "FLASK_DEBUG", "VIRTUAL_ENV", "ALEMBIC_CONFIG", "PYTHONHOME")


@dataclass(frozen=True, slots=True)
class CliRun:
    command: tuple[str, ...]
    returncode: int
    output: str  # stdout and stderr, interleaved as the terminal shows them

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def cli_env(url: DatabaseUrl, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    return {**env, "DATABASE_URL": url.libpq(), "PYTHONUNBUFFERED": "1", **extra}


def run_cli(name: str, project_dir: Path, interpreter: str, url: DatabaseUrl, *args: str,
            check: bool = True, **extra_env: str) -> CliRun:
    """``<interpreter> <the project's CLI> <args>`` in ``project_dir``, e.g. ``python -m flask db upgrade heads``."""
    command = (interpreter, *CLI[name], *args)
    result = subprocess.run(command, cwd=project_dir, env=cli_env(url, **extra_env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=CLI_TIMEOUT, check=False)
    run = CliRun(command, result.returncode, result.stdout)
    if check and not run.ok:
        raise AssertionError(f"{' '.join(command)} exited with {run.returncode} in {project_dir}:\n{run.output}")
    return run


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A database's schema as sorted tuples of plain values (user schemas only)."""

    tables: tuple[tuple[str, ...], ...]
    columns: tuple[tuple[str, ...], ...]
    indexes: tuple[tuple[str, ...], ...]
    constraints: tuple[tuple[str, ...], ...]
    enums: tuple[tuple[str, ...], ...]
    sequences: tuple[tuple[str, ...], ...]
    functions: tuple[tuple[str, ...], ...]

    def without_table(self, table: str, schema: str = "public") -> Fingerprint:
        """The fingerprint with one table (e.g. the version table) and everything on it left out."""
        def keep(row: tuple[str, ...]) -> bool:
            return row[:2] != (schema, table)

        return Fingerprint(**{f.name: tuple(filter(keep, getattr(self, f.name))) for f in fields(self)})

    def differences(self, other: Fingerprint) -> list[str]:
        """Readable lines: what only this one has (``-``) and what only the other has (``+``)."""
        lines: list[str] = []
        for field in fields(self):
            mine, theirs = set(getattr(self, field.name)), set(getattr(other, field.name))
            lines += [f"{field.name}: - {row}" for row in sorted(mine - theirs)]
            lines += [f"{field.name}: + {row}" for row in sorted(theirs - mine)]
        return lines


_USER_SCHEMAS = r"n.nspname <> 'information_schema' and n.nspname not like 'pg\_%'"

_QUERIES = {
    "tables": f"""
        select n.nspname, c.relname, c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f') and {_USER_SCHEMAS}""",
    "columns": f"""
        select n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
               case when a.attnotnull then 'not null' else 'null' end,
               coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text,
               coalesce(co.collname, '')
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
        left join pg_collation co on co.oid = a.attcollation and a.attcollation <> 100
        where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f') and {_USER_SCHEMAS}""",
    "indexes": f"""
        select n.nspname, t.relname, i.relname, pg_get_indexdef(i.oid)
        from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
        join pg_namespace n on n.oid = i.relnamespace where {_USER_SCHEMAS}""",
    "constraints": f"""
        select n.nspname, coalesce(t.relname, ty.typname, ''), con.conname, con.contype::text,
               pg_get_constraintdef(con.oid)
        from pg_constraint con join pg_namespace n on n.oid = con.connamespace
        left join pg_class t on t.oid = con.conrelid left join pg_type ty on ty.oid = con.contypid
        where {_USER_SCHEMAS}""",
    "enums": f"""
        select n.nspname, t.typname, string_agg(e.enumlabel, ',' order by e.enumsortorder)
        from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
        where {_USER_SCHEMAS} group by n.nspname, t.typname""",
    "sequences": f"""
        select n.nspname, c.relname, format_type(s.seqtypid, null), s.seqstart::text, s.seqincrement::text
        from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
        where {_USER_SCHEMAS}""",
    "functions": f"""
        select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc)
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        left join pg_depend dep on dep.objid = p.oid and dep.deptype = 'e'
        where dep.objid is null and {_USER_SCHEMAS}""",
}


def fingerprint(url: DatabaseUrl) -> Fingerprint:
    """The schema of the database at ``url``: tables, columns (type, nullability, default, identity), indexes,
    constraints, enums, sequences and functions, from pg_catalog, sorted."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        rows = {name: tuple(sorted(tuple("" if v is None else str(v) for v in row)
                                   for row in conn.execute(sql).fetchall()))
                for name, sql in _QUERIES.items()}
    return Fingerprint(**rows)


def version_rows(url: DatabaseUrl, table: str = "alembic_version") -> list[str] | None:
    """The version table's rows, sorted; None when there is no version table."""
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        if conn.execute("select to_regclass(%s)", (table,)).fetchone() == (None,):
            return None
        return sorted(row[0] for row in conn.execute(f"select version_num from {table}").fetchall())


@dataclass(frozen=True, slots=True)
class Migrated:
    run: CliRun
    fingerprint: Fingerprint
    versions: list[str] | None


def migrate_with_cli(name: str, project_dir: Path, interpreter: str, url: DatabaseUrl, *args: str,
                     check: bool = True) -> Migrated:
    """Run the project's CLI (``upgrade heads`` unless told otherwise) on ``url``; the schema and version rows after."""
    run = run_cli(name, project_dir, interpreter, url, *(args or ("upgrade", "heads")), check=check)
    return Migrated(run, fingerprint(url), version_rows(url))
