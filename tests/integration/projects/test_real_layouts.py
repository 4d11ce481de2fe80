"""Acceptance (issue 11): each real-layout fixture project through pgadmin-py's UI, with the documented settings only,
gives what the project's own CLI gives.

The settings are what a user of the README sets: ``DATABASE_URL``, ``PROJECT_DIR`` (the project root) and
``DATA_DIR``; ``ALEMBIC_CONFIG`` only where the project's own CLI needs ``-c`` too (an ini outside the discovered
places); ``MIGRATE_COMMAND`` only for the fixture whose point is its wrapper. Never ``ALEMBIC_PYTHON``,
``SQLALCHEMY_BASE`` or a hand-edited ini: a fixture with its own virtualenv has it as ``.venv`` in the project
directory, where pgadmin-py is expected to find it. Every fixture is copied into tmp_path first, so nothing writes
into the repository.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from litestar.testing import TestClient

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.core.settings import ALEMBIC_INI_CANDIDATES
from support.parity import cli_env, fingerprint, migrate_with_cli, run_cli, version_rows
from support.projects import FACTS
from support.web import csrf_token, make_client, with_sql

Fresh = Callable[[], DatabaseUrl]
Copy = Callable[[str], Path]
NAMES = sorted(FACTS)
RUN_TIMEOUT = 180
_RUN_ID = re.compile(r"/migrations/runs/(\d+)$")
_CONFIRM_WORD = re.compile(r'Type <span class="mono">([^<]*)</span> to confirm')


def ui_env(name: str, project: Path, url: DatabaseUrl, data_dir: Path) -> dict[str, str]:
    env = {"DATABASE_URL": url.libpq(), "PROJECT_DIR": str(project), "DATA_DIR": str(data_dir)}
    ini = FACTS[name].ini
    if ini not in ALEMBIC_INI_CANDIDATES:  # the CLI needs `-c <ini>` for these too
        env["ALEMBIC_CONFIG"] = str(project / ini)
    if name == "wrapper_fail":  # class 7: runs through the project's own wrapper
        env["MIGRATE_COMMAND"] = f"{sys.executable} {project / 'manage.py'} db"
    return env


@contextmanager
def ui(name: str, project: Path, url: DatabaseUrl, data_dir: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with make_client(ui_env(name, project, url, data_dir)) as client:
        yield client


def text_of(html: str) -> str:
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return words.replace("&gt;", ">").replace("&lt;", "<").replace("&#39;", "'").replace("&quot;", '"')


def apply(client: TestClient, action: str, target: str, confirm: str = "",  # type: ignore[type-arg]
          must_start: bool = True) -> str:
    """Press apply as the plan page's form does (with the CSRF token); wait for the run; the run page's text
    ("" when the run was refused and ``must_start`` is false)."""
    token = csrf_token(client, "/migrations")
    if not confirm:  # type what the plan page asks for, as a user does
        plan = client.get("/migrations/plan", params={"action": action, "target": target}).text
        asked = _CONFIRM_WORD.search(plan)
        confirm = html.unescape(asked.group(1)) if asked else ""
    response = client.post("/migrations/apply", data={"action": action, "target": target, "confirm": confirm,
                                                      "backup": "off"},
                           headers={"x-csrftoken": token}, follow_redirects=False)
    if response.status_code != 303 and not must_start:
        return ""
    assert response.status_code == 303, text_of(response.text)[-1500:]
    match = _RUN_ID.search(response.headers["location"])
    assert match, response.headers["location"]
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        page = client.get(f"/migrations/runs/{match.group(1)}").text
        status = re.search(r'data-testid="run-status">(.*?)</dd>', page, re.DOTALL)
        if status and "running" not in text_of(status.group(1)):
            return text_of(page)
        time.sleep(0.2)
    raise AssertionError(f"run {match.group(1)} did not finish in {RUN_TIMEOUT} s")


def get_ok(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    response = client.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code}\n{text_of(response.text)[-2000:]}"
    return text_of(response.text)


def sql_page(client: TestClient, path: str) -> str:  # type: ignore[type-arg]
    """The page's text once its SQL previews have rendered (htmx fetches them after the page, as here)."""
    get_ok(client, path)
    return text_of(with_sql(client, path))


# --- every fixture: the pages, the apply, the models ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_migrations_page_shows_every_revision(name: str, project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    with ui(name, project_copy(name), fresh_db(), tmp_path / "data") as client:
        page = get_ok(client, "/migrations")
    missing = [rev for rev in FACTS[name].revisions if rev not in page]
    assert not missing, f"revisions missing from the graph: {missing}\n{page[:3000]}"


@pytest.mark.parametrize("name", NAMES)
def test_plan_page_lists_the_upgrade(name: str, project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    with ui(name, project_copy(name), fresh_db(), tmp_path / "data") as client:
        response = client.get("/migrations/plan?action=upgrade&target=heads")
    page = text_of(response.text)
    assert response.status_code == 200, page[-2000:]
    revisions = FACTS[name].revisions
    assert f"{len(revisions)} revision{'s' if len(revisions) != 1 else ''} will run" in page, page[:3000]
    assert 'action="/migrations/apply"' in response.text, "the plan offers no apply form"


@pytest.mark.parametrize("name", NAMES)
def test_apply_gives_the_clis_schema_and_versions(name: str, project_copy: Copy, fresh_db: Fresh,
                                                  project_python: Callable[[str], str], tmp_path: Path) -> None:
    facts = FACTS[name]
    project, ui_db, cli_db = project_copy(name), fresh_db(), fresh_db()
    with ui(name, project, ui_db, tmp_path / "data") as client:
        run_page = apply(client, "upgrade", "heads")
        status = get_ok(client, "/migrations")
    cli = migrate_with_cli(name, project, project_python(name), cli_db, check=facts.fails_in is None)
    if facts.fails_in:
        assert "failed" in run_page, run_page[-3000:]
    else:
        assert "succeeded" in run_page, run_page[-3000:]
        assert "Pending 0" in status, status[:3000]
    assert version_rows(ui_db) == cli.versions == sorted(facts.heads), run_page[-3000:]
    differences = fingerprint(ui_db).differences(cli.fingerprint)
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize("name", NAMES)
def test_models_page_lists_every_model(name: str, project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    with ui(name, project_copy(name), fresh_db(), tmp_path / "data") as client:
        response = client.get("/models")
    assert response.status_code == 200, text_of(response.text)[-2000:]
    missing = [model for model in FACTS[name].models if f'data-model="{model}"' not in response.text]
    assert not missing, f"models missing: {missing}\n{text_of(response.text)[:2000]}"


@pytest.mark.parametrize("name", NAMES)
def test_no_page_answers_500(name: str, project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    """Every page of the project, before and after the upgrade: a message naming the cause, never a 500."""
    facts = FACTS[name]
    pages = ["/", "/migrations", "/migrations/plan?action=upgrade&target=heads", "/models", "/diagram", "/tables",
             *(f"/models/{model}" for model in facts.models)]
    revision_pages = [f"/migrations/{rev}" for rev in facts.revisions]  # each renders SQL in a child: visit once
    errors: list[str] = []
    with ui(name, project_copy(name), fresh_db(), tmp_path / "data") as client:
        errors += [f"at base: GET {path} -> {code}" for path in pages if (code := client.get(path).status_code) >= 500]
        apply(client, "upgrade", "heads", must_start=False)
        errors += [f"after upgrade heads: GET {path} -> {code}" for path in pages + revision_pages
                   if (code := client.get(path).status_code) >= 500]
    assert not errors, "\n".join(errors)


# --- what each failure class adds -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["flask_migrate", "fsqla2"])
def test_flask_migrate_layout_names_the_wrapper_it_uses(name: str, project_copy: Copy, fresh_db: Fresh,
                                                        tmp_path: Path) -> None:
    """Class 1: env.py needs an app context; pgadmin-py detects the layout and says it runs ``flask db``."""
    with ui(name, project_copy(name), fresh_db(), tmp_path / "data") as client:
        page = get_ok(client, "/migrations")
        preview = sql_page(client, f"/migrations/{FACTS[name].revisions[0]}")
    assert "flask db" in page, page[:3000]
    assert "CREATE TABLE" in preview, preview[-2000:]  # the preview went through `flask db upgrade --sql`


@pytest.mark.parametrize("name", ["flask_migrate", "sa14", "fsqla2"])
def test_the_projects_venv_is_found_and_named(name: str, project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    """The project's ``.venv`` runs its code, and the migrations page says which interpreter and why."""
    project = project_copy(name)
    with ui(name, project, fresh_db(), tmp_path / "data") as client:
        page = get_ok(client, "/migrations")
    assert str(project / ".venv") in page, page[:3000]


def test_data_migration_preview_fails_but_apply_is_offered(project_copy: Copy, fresh_db: Fresh,
                                                           tmp_path: Path) -> None:
    """Class 4: the plan says why the SQL cannot be shown offline, and still offers the confirmed apply."""
    with ui("data_migration", project_copy("data_migration"), fresh_db(), tmp_path / "data") as client:
        response = client.get("/migrations/plan?action=upgrade&target=heads")
        page = text_of(response.text)
        assert response.status_code == 200, page[-2000:]
        assert "offline" in page.lower(), page[-3000:]
        assert 'action="/migrations/apply"' in response.text
        assert "succeeded" in apply(client, "upgrade", "heads")


def test_branched_history_plans_follow_alembic(project_copy: Copy, fresh_db: Fresh, tmp_path: Path,
                                              project_python: Callable[[str], str]) -> None:
    """Class 6: labelled heads are not a merge problem; downgrade plans undo exactly what Alembic undoes; a script
    without downgrade() is flagged before a downgrade."""
    project, url = project_copy("branched"), fresh_db()
    with ui("branched", project, url, tmp_path / "data") as client:
        overview = get_ok(client, "/migrations")
        assert "expand" in overview and "contract" in overview and "audit" in overview and "cleanup" in overview
        assert "Join the heads" not in overview, "two labelled heads (expand / contract) are called a merge problem"
        assert "succeeded" in apply(client, "upgrade", "heads")
        to_base = get_ok(client, "/migrations/plan?action=downgrade&target=base")
        assert "0a9b8c7d6e5f" in to_base and "downgrade()" in to_base, to_base[-3000:]
        for target in ("audit@-1", "e1a2b3c4d5e6", "expand@-1"):
            plan = get_ok(client, f"/migrations/plan?action=downgrade&target={target}")
            undone = alembic_would_undo(project, target, fresh_db(), project_python("branched"))
            words = f"{len(undone)} revision{'s' if len(undone) != 1 else ''} will be undone"
            assert words in plan and all(rev in plan for rev in undone), f"{target}: Alembic undoes {undone}\n{plan}"
        run_page = apply(client, "downgrade", "audit@-1")
        assert "succeeded" in run_page, run_page[-3000:]
    assert version_rows(url) == ["0a9b8c7d6e5f"]


def alembic_would_undo(project: Path, target: str, url: DatabaseUrl, python: str) -> list[str]:
    """The revisions Alembic's CLI undoes going from heads down to ``target``, read from its log lines."""
    run_cli("branched", project, python, url, "upgrade", "heads")
    down = run_cli("branched", project, python, url, "downgrade", target)
    return re.findall(r"Running downgrade (\w+) ->", down.output)


def test_wrapper_failure_names_the_revision_and_the_real_error(project_copy: Copy, fresh_db: Fresh,
                                                               tmp_path: Path) -> None:
    """Class 7: not "process exited with code 1" but the failing revision and the database's error."""
    url = fresh_db()
    with ui("wrapper_fail", project_copy("wrapper_fail"), url, tmp_path / "data") as client:
        page = apply(client, "upgrade", "heads")
    assert "failed" in page and "Failed in revision 8b2c3d4e5f60" in page, page[-3000:]
    assert "division by zero" in page, page[-3000:]
    assert version_rows(url) == ["7a1b2c3d4e5f"]


def _bootstrap(project: Path, url: DatabaseUrl, python: str) -> None:
    subprocess.run([python, "scripts/bootstrap_db.py"], cwd=project, env=cli_env(url), check=True,
                   capture_output=True)


def test_create_all_database_is_stamped_at_the_matching_revision(
        project_copy: Copy, fresh_db: Fresh, project_python: Callable[[str], str], tmp_path: Path) -> None:
    """Class 8: tables without a version table, matching the newest revision: advise and apply ``stamp``; the result
    is what the CLI's ``stamp head`` gives."""
    project, python = project_copy("create_all"), project_python("create_all")
    ui_db, cli_db = fresh_db(), fresh_db()
    for url in (ui_db, cli_db):
        _bootstrap(project, url, python)
    with ui("create_all", project, ui_db, tmp_path / "data") as client:
        overview = get_ok(client, "/migrations")
        assert "stamp 4f5a6b7c8d91" in overview, overview[:3000]
        assert "succeeded" in apply(client, "stamp", "4f5a6b7c8d91")
    cli = migrate_with_cli("create_all", project, python, cli_db, "stamp", "head")
    assert version_rows(ui_db) == cli.versions == ["4f5a6b7c8d91"]
    assert fingerprint(ui_db) == cli.fingerprint


def test_create_all_partial_schema_is_compared_before_advising_stamp(
        project_copy: Copy, fresh_db: Fresh, project_python: Callable[[str], str], tmp_path: Path) -> None:
    """Class 8: a schema at the first revision (no version table) is advised ``stamp`` at that revision, not head."""
    project, url = project_copy("create_all"), fresh_db()
    run_cli("create_all", project, project_python("create_all"), url, "upgrade", "3e4f5a6b7c80")
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute("drop table alembic_version")
    with ui("create_all", project, url, tmp_path / "data") as client:
        overview = get_ok(client, "/migrations")
    assert "stamp 3e4f5a6b7c80" in overview and "stamp 4f5a6b7c8d91" not in overview, overview[:3000]


def test_create_all_unrelated_tables_advise_an_upgrade_from_base(project_copy: Copy, fresh_db: Fresh,
                                                                 tmp_path: Path) -> None:
    """Class 8: tables that are none of the models' (the schema is at base): upgrade from base, not stamp."""
    url = fresh_db()
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        conn.execute("create table legacy_notes (id int primary key, body text)")
    with ui("create_all", project_copy("create_all"), url, tmp_path / "data") as client:
        overview = get_ok(client, "/migrations")
    assert "stamp 4f5a6b7c8d91" not in overview, overview[:3000]
    assert "upgrade" in overview.lower() and "base" in overview, overview[:3000]


def test_custom_types_on_the_model_page_the_diagram_and_the_forms(project_copy: Copy, fresh_db: Fresh,
                                                                  tmp_path: Path) -> None:
    """Class 9: TypeDecorators and custom server defaults are described, never a 500."""
    with ui("custom_types", project_copy("custom_types"), fresh_db(), tmp_path / "data") as client:
        assert "succeeded" in apply(client, "upgrade", "heads")
        product = get_ok(client, "/models/Product")
        assert "JSONText" in product and "timezone('utc', CURRENT_TIMESTAMP)" in product, product[-3000:]
        supplier = get_ok(client, "/models/Supplier")
        assert "gen_random_uuid()" in supplier and "Obfuscated" in supplier, supplier[-3000:]
        get_ok(client, "/diagram")
        form = get_ok(client, "/tables/public/products/new")
        assert "attributes" in form and "state" in form and "tags" in form
        get_ok(client, "/tables/public/suppliers/new")


def test_stdlib_shadow_models_load_without_shadowing(project_copy: Copy, fresh_db: Fresh, tmp_path: Path) -> None:
    """Class 3: ``shop/`` (beside alembic.ini) never goes first on sys.path, so its types.py shadows nothing."""
    with ui("stdlib_shadow", project_copy("stdlib_shadow"), fresh_db(), tmp_path / "data") as client:
        preview = sql_page(client, "/migrations/e4d3c2b1a090")
        models = get_ok(client, "/models")
    assert "CREATE TYPE order_status" in preview, preview[-3000:]
    assert "MappingProxyType" not in preview + models and "circular import" not in preview + models
