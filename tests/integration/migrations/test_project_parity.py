"""Every real-layout fixture project (tests/fixtures/projects) through our HTTP routes and through its own CLI, on
two fresh databases: the same schema (a catalog fingerprint) and the same version rows.

Only documented settings are used: DATABASE_URL, PROJECT_DIR (the project root, where its CLI runs), ALEMBIC_CONFIG
where the CLI needs ``-c``, MIGRATE_COMMAND for a hand-written wrapper. The project's interpreter is its ``.venv``
(found by pgadmin-py, no setting), Flask-Migrate's layout is detected, ``FLASK_APP`` comes from the project's
``.flaskenv`` as ``flask db`` reads it.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from mig_support import post_form, text_of, wait_run, with_sql

from pgadmin_py.core.dburl import DatabaseUrl
from support.parity import fingerprint, migrate_with_cli, version_rows
from support.projects import copy_fixture, fixture_python

# project -> (ALEMBIC_CONFIG relative to the project root, or "" when discovered; what the runner line says)
PROJECTS: dict[str, tuple[str, str]] = {
    "flask_migrate": ("", "Flask-Migrate"),
    "fsqla2": ("", "Flask-Migrate"),
    "cwd_relative": ("config/alembic.ini", "Alembic in the project's interpreter"),
    "pkg_resource": ("", "Alembic in the project's interpreter"),
    "stdlib_shadow": ("shop/alembic.ini", "Alembic in the project's interpreter"),
    "data_migration": ("", "Alembic in the project's interpreter"),
    "async_asyncio": ("", "Alembic in the project's interpreter"),
    "async_anyio": ("", "Alembic in the project's interpreter"),
    "branched": ("", "Alembic in the project's interpreter"),
    "custom_types": ("", "Alembic in the project's interpreter"),
    "create_all": ("", "Alembic in the project's interpreter"),
    "sa14": ("", "Alembic in the project's interpreter"),
}


@pytest.fixture
def second_db(pg_server: DatabaseUrl) -> Iterator[DatabaseUrl]:
    """Another fresh empty database, for the CLI's run."""
    name = f"pgadmin_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.libpq(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    yield pg_server.with_database(name)
    with psycopg.connect(pg_server.libpq(), autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
        conn.execute(f'drop database if exists "{name}"')  # WITH (FORCE) is PostgreSQL 13+


def project_client(name: str, project: Path, url: DatabaseUrl, data: Path, **extra: str) -> Any:
    from support.web import make_client

    env = {"DATABASE_URL": url.libpq(), "PROJECT_DIR": str(project), "DATA_DIR": str(data), **extra}
    ini = PROJECTS.get(name, ("", ""))[0]
    if ini:
        env["ALEMBIC_CONFIG"] = ini
    return make_client(env)


def apply_reviewed(client: Any, plan_url: str, confirm: str = "") -> str:
    """Open the plan like a user, confirm it with the form's token; the finished run's page."""
    page = with_sql(client, plan_url)
    token = re.search(r'name="plan_token" value="([^"]+)"', page)
    assert token, text_of(page)[:3000]
    action = re.search(r'name="action" value="([^"]+)"', page)
    target = re.search(r'name="target" value="([^"]+)"', page)
    assert action and target
    response = post_form(client, "/migrations/apply", {"action": action.group(1), "target": target.group(1),
                                                      "plan_token": token.group(1), "confirm": confirm,
                                                      "backup": "on"})
    assert response.status_code == 303, text_of(response.text)[-1500:]
    return wait_run(client, int(response.headers["location"].rsplit("/", 1)[1]), timeout=180)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_ui_and_cli_give_the_same_schema(name: str, empty_db: DatabaseUrl, second_db: DatabaseUrl,
                                         tmp_path: Path) -> None:
    python = fixture_python(name)
    project = copy_fixture(name, tmp_path / name)
    with project_client(name, project, empty_db, tmp_path / "data") as client:
        overview = client.get("/migrations")
        assert overview.status_code == 200, text_of(overview.text)[:2000]
        words = text_of(overview.text)
        assert PROJECTS[name][1] in words, words[:3000]
        if python != sys.executable:  # its own .venv, found with no setting
            assert "the virtualenv .venv/ in the project directory" in words
        assert "pending" in words
        plan = with_sql(client, "/migrations/plan?action=upgrade&target=heads")
        assert "Rendering the SQL" not in plan
        run = text_of(apply_reviewed(client, "/migrations/plan?action=upgrade&target=heads"))
        assert "succeeded" in run, run[-3000:]
        assert client.get("/migrations").status_code == 200
    cli = migrate_with_cli(name, project, python, second_db)
    assert version_rows(empty_db) == cli.versions and cli.versions
    differences = fingerprint(empty_db).differences(cli.fingerprint)
    assert not differences, differences
