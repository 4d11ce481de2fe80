"""Helpers for the rehearsal tests: the `rehearse` fixture project, the real database's fingerprint, the
scratch databases left on the server."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
from litestar.testing import TestClient
from mig_support import FIXTURES, post_form

from pgadmin_py.core.dburl import DatabaseUrl

PROJECT = FIXTURES / "rehearse"
PREFIX = "pgadmin_py_rehearsal_"

_CATALOG = """
select 'col', c.table_schema || '.' || c.table_name || '.' || c.column_name || ' ' || c.data_type || ' '
       || c.is_nullable || ' ' || coalesce(c.column_default, '')
  from information_schema.columns c where c.table_schema = 'public'
union all
select 'idx', indexdef from pg_indexes where schemaname = 'public'
union all
select 'con', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'public'::regnamespace
union all
select 'seq', sequencename || ' ' || coalesce(last_value, 0) from pg_sequences where schemaname = 'public'
order by 1, 2"""


def alembic(url: DatabaseUrl, *args: str) -> None:
    """The fixture's own CLI, as its developer would run it."""
    result = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=PROJECT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url.libpq()}, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


def project_env(url: DatabaseUrl, data: Path, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": url.libpq(), "ALEMBIC_CONFIG": str(PROJECT / "alembic.ini"), "PROJECT_DIR": str(PROJECT),
            "DATA_DIR": str(data), **extra}


def fingerprint(url: DatabaseUrl) -> str:
    """A hash over the schema (columns, indexes, constraints, sequences), every row of every table (the version
    table included), in a normalized order: equal before and after means nothing was changed."""
    digest = hashlib.sha256()
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        for kind, text in conn.execute(_CATALOG):
            digest.update(f"{kind}:{text}\n".encode())
        tables = [r[0] for r in conn.execute("select quote_ident(tablename) from pg_tables "
                                             "where schemaname = 'public' order by 1")]
        for table in tables:
            row = conn.execute(f"select count(*), md5(coalesce(string_agg(t::text, ',' order by t::text), '')) "
                               f"from {table} t").fetchone()
            digest.update(f"{table}:{row}\n".encode())
    return digest.hexdigest()


def scratch_left(url: DatabaseUrl) -> list[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return [r[0] for r in conn.execute("select datname from pg_database where datname like %s",
                                           (PREFIX.replace("_", r"\_") + "%",))]


def rehearse(client: TestClient, target: str) -> int:  # type: ignore[type-arg]
    response = post_form(client, "/migrations/rehearse", {"action": "upgrade", "target": target},
                         page=f"/migrations/plan?action=upgrade&target={target}")
    assert response.status_code == 303, response.text[-1500:]
    match = re.search(r"/migrations/runs/(\d+)$", response.headers["location"])
    assert match
    return int(match.group(1))


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(PROJECT, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def git(where: Path, *args: str, author: str = "Nobody") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": f"{author.split()[0].lower()}@example.com",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "ci@example.com", "GIT_CONFIG_NOSYSTEM": "1",
           "HOME": str(where)}
    subprocess.run(["git", *args], cwd=where, env=env, check=True, capture_output=True, timeout=30)


def env_for(project: Path, url: DatabaseUrl, data: Path) -> dict[str, str]:
    return {**project_env(url, data), "ALEMBIC_CONFIG": str(project / "alembic.ini"), "PROJECT_DIR": str(project)}
