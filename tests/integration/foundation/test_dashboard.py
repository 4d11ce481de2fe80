"""The dashboard shows the database at a glance, and names the problems it finds."""

from __future__ import annotations

import html
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine, text

from pgadmin_py.catalog.overview import database_overview
from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.demo import bootstrap as demo
from support.web import make_client


def test_dashboard_facts(client: TestClient[Any], demo_db: DatabaseUrl) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert demo_db.database in html
    assert demo.SEEDED_REVISION in html  # current revision
    assert "Review 2 pending migrations" in html
    assert "9 tables" not in html  # counts are shown as tiles, not prose
    for label in ("Database size", "Tables", "Current revision", "Pending migrations", "Models", "Problems found"):
        assert label in html
    assert "No problems found" in html
    for href in ('href="/migrations"', 'href="/tables"', 'href="/models"', 'href="/diagram"', 'href="/sql"'):
        assert href in html


def test_htmx_request_gets_only_the_content_block(client: TestClient[Any]) -> None:
    fragment = client.get("/", headers={"hx-request": "true", "hx-target": "content"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Pending migrations" in fragment.text
    boosted = client.get("/", headers={"hx-request": "true", "hx-boosted": "true", "hx-target": "body"})
    assert "<html" in boosted.text


def test_problems_are_named(demo_env: dict[str, str], tmp_path: Path) -> None:
    env = {**demo_env, "SQLALCHEMY_BASE": "missing_pkg.models:Base"}
    engine = create_engine(parse_database_url(env["DATABASE_URL"]).sqlalchemy())
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = 'deadbeef0000'"))
    engine.dispose()
    with make_client(env) as client:
        html = client.get("/").text
    assert "Models could not be imported (missing_pkg.models:Base)" in html
    assert "No module named &#39;missing_pkg&#39;" in html
    assert "The database is at an unknown revision" in html
    assert "deadbeef0000 is recorded in alembic_version but no script defines it" in html


def test_unknown_page_is_a_friendly_404(client: TestClient[Any]) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "There is no page at /no/such/page" in response.text


def test_a_superuser_connection_shows_the_sql_for_a_read_only_role(client: TestClient[Any],
                                                                   demo_db: DatabaseUrl) -> None:
    page = client.get("/")
    notice = re.search(r'<section[^>]*data-testid="role-notice".*?</section>', page.text, re.S)
    assert notice, "no notice about the superuser connection"
    assert "superuser" in notice.group(0)
    pre = re.search(r"<pre[^>]*>(.*?)</pre>", notice.group(0), re.S)
    assert pre
    sql = html.unescape(re.sub(r"<[^>]+>", "", pre.group(1)))
    assert "CREATE ROLE" in sql and "GRANT SELECT ON ALL TABLES IN SCHEMA public" in sql
    assert "default_transaction_read_only" in sql
    # the SQL works as shown, and the role it makes can read and cannot write
    shown = re.search(r"CREATE ROLE (\S+)", sql)
    password = re.search(r"PASSWORD '([^']+)'", sql)
    assert shown and password
    role = f"ro_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide: a name of this test's own
    sql = sql.replace(shown.group(1), role)
    password = password.group(1)
    engine = create_engine(demo_db.sqlalchemy(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
        ro = demo_db.replace(user=role, password=password)
        with psycopg.connect(ro.libpq()) as conn:
            assert conn.execute("select count(*) from clients").fetchone() == (300,)
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("delete from payments")
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'drop owned by "{role}"'))
            conn.execute(text(f'drop role if exists "{role}"'))
        engine.dispose()


def test_a_plain_role_sees_no_role_notice(demo_env: dict[str, str], demo_db: DatabaseUrl) -> None:
    role = f"plain_{uuid.uuid4().hex[:8]}"
    engine = create_engine(demo_db.sqlalchemy(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'create role "{role}" login password \'plain\''))
        conn.execute(text(f'grant usage on schema public to "{role}"'))
        conn.execute(text(f'grant select on all tables in schema public to "{role}"'))
    try:
        url = demo_db.replace(user=role, password="plain")
        with make_client({**demo_env, "DATABASE_URL": url.libpq()}) as client:
            page = client.get("/")
        assert page.status_code == 200
        assert demo_db.database in page.text
        assert 'data-testid="role-notice"' not in page.text
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'drop owned by "{role}"'))
            conn.execute(text(f'drop role "{role}"'))
        engine.dispose()


def test_the_overview_reads_the_servers_reserved_words(demo_db: DatabaseUrl) -> None:
    """The read-only role's SQL quotes a name the way this server needs: its own keywords (pg_get_keywords())."""
    engine = create_engine(demo_db.sqlalchemy())
    try:
        words = database_overview(engine).reserved_words
    finally:
        engine.dispose()
    assert {"user", "select", "table", "order", "authorization"} <= words
    assert not words & {"public", "name", "text", "comment"}  # unreserved or column-name words stay bare
