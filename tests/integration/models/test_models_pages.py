"""The models and diagram pages on the real demo database (two migrations pending: real drift)."""

from __future__ import annotations

import time
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env, make_client, make_state

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def settled(client, path: str, timeout: float = 60):  # type: ignore[no-untyped-def]
    """GET ``path`` until the models are read and the drift comparison is done (both run in the project's
    interpreter, in the background: on a busy machine they may outlast the page budget); fails when the page
    still says "pending" after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(path)
        waiting = 'data-testid="drift-pending"' in page.text or 'data-testid="models-pending"' in page.text
        if not waiting:
            return page
        assert time.monotonic() < deadline, f"{path} was still pending after {timeout} s"
        time.sleep(0.2)


def test_models_page_lists_models_with_drift_and_cascades(client) -> None:  # type: ignore[no-untyped-def]
    page = settled(client, "/models")
    assert page.status_code == 200
    text = page.text
    for name in ("Broker", "Client", "Account", "Operation", "client_tags"):
        assert f'data-model="{name}"' in text
    assert "String(120)" in text and "Mapped[int | None]" in text
    assert "ON DELETE SET NULL" in text and "ON DELETE CASCADE" in text
    assert 'data-testid="column-drift"' in text and "notes" in text  # clients.notes is not migrated yet
    assert "Instrument.operations" in text and "NOT NULL" in text  # a cascade that disagrees
    assert "data-search" in text


def test_models_search_fragment(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/models?q=email", headers={"HX-Request": "true", "HX-Target": "model_list"})
    assert page.status_code == 200 and "<html" not in page.text
    assert 'data-model="Client"' in page.text and 'data-model="Broker"' in page.text
    assert 'data-model="Operation"' not in page.text
    none = client.get("/models?q=zzzz-nothing")
    assert "Nothing matches" in none.text


def test_model_page(client) -> None:  # type: ignore[no-untyped-def]
    page = settled(client, "/models/Client")
    assert page.status_code == 200
    text = page.text
    assert "/tables/public/clients" in text and "/diagram?table=public.clients" in text
    assert 'data-testid="model-drift"' in text
    assert "3f1c2a9b7d10" in text and "4c0d8a2e9f65" in text  # created, then notes added
    assert "add_column notes" in text
    assert 'cascade="all, delete-orphan"' in text and "M:N" in text and "client_tags" in text
    assert client.get("/models/Nope").status_code == 404


def test_diagram_pages_and_downloads(client) -> None:  # type: ignore[no-untyped-def]
    settled(client, "/models")  # drift known: the diagram colours it
    page = client.get("/diagram")
    assert page.status_code == 200
    assert "<svg" in page.text and 'href="/tables/public/operations"' in page.text
    assert "/diagram/edges/public/accounts/fk_accounts_client_id_clients" in page.text
    assert "er-drift" in page.text  # clients differs from its model
    focus = client.get("/diagram?table=public.payments&depth=1", headers={"HX-Request": "true", "HX-Target": "canvas"})
    assert "<html" not in focus.text and 'data-table="public.accounts"' in focus.text
    assert 'data-table="public.brokers"' not in focus.text
    edge = client.get("/diagram/edges/public/accounts/fk_accounts_client_id_clients",
                      headers={"HX-Request": "true", "HX-Target": "edge"})
    assert edge.status_code == 200 and "<html" not in edge.text
    assert "CASCADE" in edge.text and "also deletes the public.accounts rows" in edge.text
    assert "Client.accounts" in edge.text
    assert client.get("/diagram/edges/public/accounts/nope").status_code == 404
    svg = client.get("/diagram.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "attachment" in svg.headers["content-disposition"] and svg.text.startswith("<?xml")
    png = client.get("/diagram.png?table=public.clients")
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_broken_import_shows_the_problem_and_the_rest_works(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    env = demo_env(demo_db, tmp_path, SQLALCHEMY_BASE="brokenapp.models:Base", PROJECT_DIR=str(FIXTURES / "broken"))
    with make_client(env) as client:
        page = settled(client, "/models")
        assert page.status_code == 200
        assert 'data-testid="import-problem"' in page.text
        assert "not_installed_dependency_xyz" in page.text and "Traceback" in page.text
        assert str(FIXTURES / "broken") in page.text  # the sys.path used
        diagram = client.get("/diagram")
        assert diagram.status_code == 200 and 'data-table="public.clients"' in diagram.text
        assert client.get("/").status_code == 200


def test_no_models_configured(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    env = demo_env(demo_db, tmp_path)
    env.pop("SQLALCHEMY_BASE")
    env.pop("ALEMBIC_CONFIG")  # and no alembic.ini in the project directory: no env.py to ask
    with make_client(env) as client:
        page = settled(client, "/models")
        assert page.status_code == 200 and "No models loaded" in page.text
        assert client.get("/diagram").status_code == 200


def test_models_come_from_env_py_without_sqlalchemy_base(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    env = demo_env(demo_db, tmp_path)
    env.pop("SQLALCHEMY_BASE")  # the demo's env.py imports its models and sets target_metadata
    with make_client(env) as client:
        page = settled(client, "/models")
        assert page.status_code == 200 and "target_metadata of env.py" in page.text
        for name in ("Broker", "Client", "Account", "Operation", "client_tags"):
            assert f'data-model="{name}"' in page.text
        assert 'data-testid="column-drift"' in page.text  # drift through env.py's own online context


def test_slow_drift_never_blocks_the_page(demo_env: dict[str, str]) -> None:
    state = make_state(demo_env)
    state.models_pages.drift_budget = 0.0  # as if the comparison took longer than the page budget
    with make_client(demo_env, state) as client:
        _slow_drift_page(client)


def _slow_drift_page(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/models")
    assert page.status_code == 200 and 'data-testid="drift-pending"' in page.text
    assert 'data-model="Client"' in page.text  # the models are shown at once
    deadline = time.monotonic() + 60
    while True:
        poll = client.get("/models", headers={"HX-Request": "true", "HX-Target": "models_page"})
        if 'data-testid="drift-pending"' not in poll.text:
            break
        assert time.monotonic() < deadline, "the drift comparison was still pending after 60 s"
        time.sleep(0.2)
    assert "<html" not in poll.text and 'hx-swap-oob="true"' in poll.text
    assert 'data-testid="column-drift"' in poll.text  # the model list comes along, now marked


def test_diagram_schema_and_keys_only(client) -> None:  # type: ignore[no-untyped-def]
    public = client.get("/diagram?schema=public&columns=keys")
    assert public.status_code == 200 and 'data-table="public.clients"' in public.text
    assert ">full_name<" not in public.text and ">broker_id<" in public.text  # keys only
    other = client.get("/diagram?schema=nope")
    assert other.status_code == 200 and "No tables to draw" in other.text
    bad = client.get("/diagram?table=public.nope&depth=abc")  # a stale bookmark still draws everything
    assert bad.status_code == 200 and 'data-table="public.clients"' in bad.text
