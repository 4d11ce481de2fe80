"""The fixture projects work with their own CLI, and the schema fingerprint tells schemas apart.

These are the harness's own tests: if one fails, the fixture or the harness is wrong (not pgadmin-py).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pgadmin_py.core.dburl import DatabaseUrl
from support.parity import cli_env, fingerprint, migrate_with_cli, run_cli, version_rows
from support.projects import FACTS, all_fixtures

Fresh = Callable[[], DatabaseUrl]
Copy = Callable[[str], Path]


def test_every_fixture_has_facts_and_a_cli() -> None:
    from support.parity import CLI

    assert sorted(FACTS) == all_fixtures() == sorted(CLI)


@pytest.mark.parametrize("name", sorted(FACTS))
def test_upgrade_heads_then_downgrade_base_with_the_projects_own_cli(
        name: str, project_copy: Copy, project_python: Callable[[str], str], fresh_db: Fresh) -> None:
    facts = FACTS[name]
    project, python, url = project_copy(name), project_python(name), fresh_db()
    up = migrate_with_cli(name, project, python, url, check=facts.fails_in is None)
    assert up.versions == sorted(facts.heads), up.run.output
    tables = {row[1] for row in up.fingerprint.tables} - {"alembic_version"}
    assert tables, "upgrade heads created no table"
    if facts.fails_in:
        assert not up.run.ok and f"-> {facts.fails_in}" in up.run.output and "division by zero" in up.run.output
    down = run_cli(name, project, python, url, "downgrade", "base", check=False)
    if facts.downgrade_base:
        assert down.ok, down.output
        assert version_rows(url) == []
        assert fingerprint(url).without_table("alembic_version").tables == ()
    else:
        assert not down.ok and "has no attribute 'downgrade'" in down.output
        assert version_rows(url) == sorted(facts.heads)  # one transaction: nothing was undone


@pytest.mark.parametrize("name", sorted(set(FACTS) - {"wrapper_fail", "data_migration"}))
def test_offline_sql_renders(name: str, project_copy: Copy, project_python: Callable[[str], str],
                             fresh_db: Fresh) -> None:
    run = run_cli(name, project_copy(name), project_python(name), fresh_db(), "upgrade", "heads", "--sql")
    assert "CREATE TABLE" in run.output and "alembic_version" in run.output


def test_data_migrations_cannot_render_offline_but_run_online(project_copy: Copy, fresh_db: Fresh,
                                                              project_python: Callable[[str], str]) -> None:
    project, python, url = project_copy("data_migration"), project_python("data_migration"), fresh_db()
    offline = run_cli("data_migration", project, python, url, "upgrade", "heads", "--sql", check=False)
    assert not offline.ok and "AttributeError" in offline.output
    orm_only = run_cli("data_migration", project, python, url, "upgrade", "8e7f6a5b4c31:b2a1c0d9e8f7", "--sql",
                       check=False)
    assert not orm_only.ok and "MockConnection" in orm_only.output
    first = run_cli("data_migration", project, python, url, "upgrade", "1c2d3e4f5a60", "--sql")
    assert "INSERT INTO customers" in first.output
    assert migrate_with_cli("data_migration", project, python, url).versions == ["b2a1c0d9e8f7"]
    import psycopg

    with psycopg.connect(url.libpq()) as conn:
        assert conn.execute("select code, customer_count from regions order by code").fetchall() == [
            ("FI", 1), ("GB", 1), ("NL", 1), ("US", 3)]
        assert conn.execute("select count(*) from customers where region_id is null").fetchone() == (0,)


def test_branched_downgrades_one_labelled_branch(project_copy: Copy, fresh_db: Fresh,
                                                 project_python: Callable[[str], str]) -> None:
    project, python, url = project_copy("branched"), project_python("branched"), fresh_db()
    migrate_with_cli("branched", project, python, url)
    run_cli("branched", project, python, url, "downgrade", "audit@-1")
    # e1a2b3c4d5e6 is now a head, but the contract head depends on it: the version table keeps only 0a9b8c7d6e5f
    assert version_rows(url) == ["0a9b8c7d6e5f"]
    assert "audit_log" not in {row[1] for row in fingerprint(url).tables}
    heads = run_cli("branched", project, python, url, "heads")
    labels = {line.split()[0]: set(line[line.index("(") + 1:line.index(")")].split(", "))
              for line in heads.output.splitlines() if "(head)" in line}  # Alembic keeps labels in a set
    assert labels == {"f7e6d5c4b3a2": {"audit", "expand"}, "0a9b8c7d6e5f": {"contract", "cleanup"}}


def test_the_fingerprint_is_the_same_for_the_same_schema_and_sees_one_changed_column(
        project_copy: Copy, fresh_db: Fresh, project_python: Callable[[str], str]) -> None:
    project, python = project_copy("cwd_relative"), project_python("cwd_relative")
    one, two, three = fresh_db(), fresh_db(), fresh_db()
    a = migrate_with_cli("cwd_relative", project, python, one)
    b = migrate_with_cli("cwd_relative", project, python, two)
    assert a.fingerprint == b.fingerprint and a.versions == b.versions
    script = next((project / "db" / "migrations" / "versions").glob("*_warehouses.py"))
    script.write_text(script.read_text().replace("sa.String(length=80)", "sa.String(length=81)"))
    c = migrate_with_cli("cwd_relative", project, python, three)
    assert c.versions == a.versions
    assert a.fingerprint != c.fingerprint
    assert a.fingerprint.differences(c.fingerprint) == [
        "columns: - ('public', 'warehouses', 'city', 'character varying(80)', 'null', '', '', '', '')",
        "columns: + ('public', 'warehouses', 'city', 'character varying(81)', 'null', '', '', '', '')"]


def test_the_fingerprint_sees_defaults_nullability_indexes_and_enums(fresh_db: Fresh) -> None:
    import psycopg

    url = fresh_db()
    base = "create type mood as enum ('ok', 'meh'); create table t (id int primary key, m mood, n text default 'x')"
    variants = [base, base.replace("'meh'", "'bad'"), base.replace("default 'x'", "default 'y'"),
                base.replace("n text", "n text not null"), base + "; create index ix_t_n on t (n)"]
    prints = []
    for sql in variants:
        with psycopg.connect(url.libpq(), autocommit=True) as conn:
            conn.execute("drop table if exists t; drop type if exists mood")
            conn.execute(sql)  # type: ignore[arg-type]
        prints.append(fingerprint(url))
    assert len(set(prints)) == len(variants)


def test_create_all_bootstrap_builds_exactly_the_migrated_schema(project_copy: Copy, fresh_db: Fresh,
                                                                 project_python: Callable[[str], str]) -> None:
    project, python = project_copy("create_all"), project_python("create_all")
    migrated, bootstrapped = fresh_db(), fresh_db()
    head = migrate_with_cli("create_all", project, python, migrated)
    subprocess.run([python, "scripts/bootstrap_db.py"], cwd=project, env=cli_env(bootstrapped), check=True,
                   capture_output=True)
    assert version_rows(bootstrapped) is None
    assert fingerprint(bootstrapped).differences(head.fingerprint.without_table("alembic_version")) == []
    stamped = migrate_with_cli("create_all", project, python, bootstrapped, "stamp", "head")
    assert stamped.fingerprint == head.fingerprint and stamped.versions == head.versions


def test_both_async_env_pys_give_the_same_schema(project_copy: Copy, fresh_db: Fresh,
                                                 project_python: Callable[[str], str]) -> None:
    results = [migrate_with_cli(n, project_copy(n), project_python(n), fresh_db())
               for n in ("async_asyncio", "async_anyio")]
    assert results[0].fingerprint == results[1].fingerprint and results[0].versions == results[1].versions


def test_old_stack_environments_are_what_they_claim(project_python: Callable[[str], str]) -> None:
    probe = ("import importlib.util as u, sqlalchemy, alembic; "
             "print(sqlalchemy.__version__, alembic.__version__, bool(u.find_spec('psycopg')), "
             "bool(u.find_spec('psycopg2')))")
    for name, expected in (("sa14", "1.4.54 1.12.1 False True"), ("fsqla2", "1.4.54 1.7.7 False True")):
        out = subprocess.run([project_python(name), "-c", probe], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


def test_the_cli_runs_in_a_clean_shell_environment(monkeypatch: pytest.MonkeyPatch, fresh_db: Fresh) -> None:
    """A developer's FLASK_APP or PYTHONPATH must not leak into the project's CLI run."""
    monkeypatch.setenv("FLASK_APP", "nowhere:nothing")
    monkeypatch.setenv("PYTHONPATH", "/nonexistent")
    env = cli_env(fresh_db())
    assert "FLASK_APP" not in env and "PYTHONPATH" not in env and env["DATABASE_URL"].startswith("postgresql://")

