"""Models read in the project's own interpreter: SQLAlchemy 1.4, Flask-SQLAlchemy 2.x, Flask-Migrate's env.py in
the app context, all with psycopg2 only; drift through env.py's online context, rolled back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.settings import Settings
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.orm.models import ModelFacts, ProjectModels, probe_command
from pgadmin_py.orm.probe import ProbeCommand, launch
from pgadmin_py.web.app import build_state, create_app
from support.legacy import sa14_python
from support.web import BASE_URL

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"
GADGETS_DDL = """
create table ct_gadgets (
    id serial primary key,
    name varchar(40) not null,
    price numeric(12, 2) not null default 0,
    blob text,
    made_at timestamp not null default timezone('utc', current_timestamp),
    shard integer not null default 1
)"""


@pytest.fixture(scope="module")
def old_python() -> str:
    return sa14_python()


def user_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**keep, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def probed(python: str, project: str, env: dict[str, str], **kw: Any) -> ModelFacts:
    command = ProbeCommand(python, FIXTURES / project, env, **kw)
    return ModelFacts.from_answer(launch(python, command.cwd, env, command.argv("models")[1:]), python, 1)


def test_sqlalchemy_14_declarative_base_and_flask_sqlalchemy_2(old_python: str) -> None:
    legacy = probed(old_python, "legacy14", user_env(), base="shop14.models:Base")
    assert legacy.problem is None, legacy.problem
    customer, order = legacy.catalog.get("Customer"), legacy.catalog.get("Order")
    assert customer is not None and order is not None
    assert customer.column("email").type_text == "String(254)"  # type: ignore[union-attr]
    assert customer.column("active").server_default == "true"  # type: ignore[union-attr]
    assert order.column("total_amount").attribute == "total"  # type: ignore[union-attr]
    (orders,) = customer.relationships
    assert (orders.direction, orders.backref) == ("1:N", "customer")
    flask = probed(old_python, "flaskapp", user_env(), base="flaskshop.models:db")
    assert flask.problem is None, flask.problem
    user = flask.catalog.get("User")
    assert user is not None and [r.direction for r in user.relationships] == ["1:N"]
    assert user.relationships[0].passive_deletes is True


@pytest.fixture
def fm_client(old_python: str, empty_db: DatabaseUrl, tmp_path: Path) -> Iterator[Any]:
    """The app on a Flask-Migrate project: FLASK_APP in the user's environment, ALEMBIC_PYTHON set."""
    project = FIXTURES / "flaskmigrate"
    settings = Settings.from_env({"DATABASE_URL": empty_db.libpq(), "PROJECT_DIR": str(project),
                                  "DATA_DIR": str(tmp_path), "ALEMBIC_PYTHON": old_python},
                                 parse_url=parse_database_url)
    command, line = probe_command(settings, user_env(FLASK_APP="fmapp:create_app"))
    assert command.flask and command.ini == project / "migrations" / "alembic.ini"
    models = ProjectModels(command, line)
    models.start()
    from litestar.testing import TestClient

    with TestClient(create_app(settings, state=build_state(settings, models=models)), base_url=BASE_URL,
                    raise_server_exceptions=False) as client:
        yield client


def settled(client: Any, path: str) -> str:
    deadline = time.monotonic() + 90
    while True:
        page = client.get(path)
        assert page.status_code == 200, page.text[-2000:]
        if "drift-pending" not in page.text and "models-pending" not in page.text:
            return str(page.text)
        assert time.monotonic() < deadline, f"{path} still says it is reading the models after 90 s"
        time.sleep(0.3)


def test_flask_migrate_project_models_and_drift_in_the_app_context(fm_client: Any, empty_db: DatabaseUrl) -> None:
    page = settled(fm_client, "/models")
    assert "target_metadata of Flask-Migrate&#39;s env.py (in the app context)" in page
    assert 'data-model="Person"' in page and 'data-model="Post"' in page
    assert "String(120)" in page and "untitled" in page
    assert "table fm_people is in the models but not in the database" in page  # drift, online, rolled back
    engine = create_engine(empty_db.sqlalchemy())
    with engine.connect() as conn:  # the comparison left nothing behind (no alembic_version created)
        assert conn.execute(text("select to_regclass('alembic_version')")).scalar() is None
    engine.dispose()
    assert fm_client.get("/diagram").status_code == 200


def test_custom_types_and_server_defaults_never_break_a_page(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    from support.web import demo_env, make_client

    engine = create_engine(demo_db.sqlalchemy())
    with engine.begin() as conn:
        conn.execute(text(GADGETS_DDL))
    engine.dispose()
    env = demo_env(demo_db, tmp_path, SQLALCHEMY_BASE="ctapp.models:Base", PROJECT_DIR=str(FIXTURES / "customtypes"))
    with make_client(env) as client:
        page = settled(client, "/models")
        assert 'data-model="Gadget"' in page
        assert "Wrapped" in page and "shard_default" in page  # described by class name: they do not compile
        assert "TIMEZONE(&#39;utc&#39;, CURRENT_TIMESTAMP)" in page  # the custom construct that does compile
        assert client.get("/models/Gadget").status_code == 200
        diagram = client.get("/diagram?table=public.ct_gadgets")
        assert diagram.status_code == 200 and 'data-table="public.ct_gadgets"' in diagram.text
        form = client.get("/tables/public/ct_gadgets/new")
        assert form.status_code == 200
        assert 'name="f_name"' in form.text and "at most 40 characters" in form.text and 'name="f_blob"' in form.text
