"""Failure class 8: tables but no version table. The schema is compared with the models before any advice."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env, make_client


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&gt;", ">")


def _prepare(url: DatabaseUrl, *statements: str, create_all: bool = False) -> None:
    from pgadmin_py.demo.models import Base

    engine = create_engine(url.sqlalchemy())
    if create_all:
        Base.metadata.create_all(engine)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def test_schema_that_matches_the_models_is_stamped_at_head(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    _prepare(empty_db, create_all=True)
    with make_client(demo_env(empty_db, tmp_path)) as client:
        page = words(client.get("/migrations").text)
    assert "Tables exist but no version table" in page
    assert "It matches the models exactly" in page and "stamp b93e1f7c5a20" in page


def test_schema_at_base_is_upgraded_not_stamped(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    _prepare(empty_db, "create table audit_log (id int primary key, line text)")
    with make_client(demo_env(empty_db, tmp_path)) as client:
        page = words(client.get("/migrations").text)
    assert "Tables exist but no version table" in page
    assert "None of the models' tables exist yet" in page and "Upgrade from base (upgrade b93e1f7c5a20)" in page


def test_schema_that_differs_lists_the_differences_before_any_stamp(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    _prepare(empty_db, "alter table clients drop column notes", create_all=True)
    with make_client(demo_env(empty_db, tmp_path)) as client:
        page = words(client.get("/migrations").text)
    assert "Tables exist but no version table" in page
    assert "differs from the models in 1 way(s): column clients.notes is in the model but missing" in page
    assert "Do not stamp yet" in page
