"""The dashboard shows the database at a glance, and names the problems it finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import create_engine, text

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
