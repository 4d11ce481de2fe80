"""A plan is applied exactly as reviewed (a signed token, no second SQL render); a preview that fails never blocks
the run; a run through a wrapper that fails names the revision and the real error."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import psycopg
from mig_support import post_form, text_of, wait_run, with_sql

from pgadmin_py.core.dburl import DatabaseUrl
from support.projects import copy_fixture


def client_for(project: Path, url: DatabaseUrl, data: Path, **extra: str) -> Any:
    from support.web import make_client

    return make_client({"DATABASE_URL": url.libpq(), "PROJECT_DIR": str(project), "DATA_DIR": str(data), **extra})


def form_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def versions(url: DatabaseUrl) -> list[str]:
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        return sorted(r[0] for r in conn.execute("select version_num from alembic_version"))


def test_a_data_migration_that_cannot_render_offline_still_runs(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    project = copy_fixture("data_migration", tmp_path / "crm")
    with client_for(project, empty_db, tmp_path / "data") as client:
        page = with_sql(client, "/migrations/plan?action=upgrade&target=heads")
        words = text_of(page)
        assert "The SQL cannot be shown offline" in words and "AttributeError" in words
        assert "op.get_bind()" in words and "does not stop the run" in words
        assert 'data-testid="confirm-form"' in page  # the apply is still offered, with the backup
        fields = form_of(page)
        assert fields["backup"] == "on" and fields["plan_token"]
        started = time.monotonic()
        response = post_form(client, "/migrations/apply", {**fields, "confirm": ""})
        assert response.status_code == 303, text_of(response.text)[-1500:]
        assert time.monotonic() - started < 5  # no second offline render before the run starts
        run = text_of(wait_run(client, int(response.headers["location"].rsplit("/", 1)[1]), timeout=120))
        assert "succeeded" in run and "backup done" in run, run[-2000:]
        assert "sql-upgrade" not in run
    assert versions(empty_db) == ["b2a1c0d9e8f7"]


def test_apply_runs_only_the_reviewed_plan(empty_db: DatabaseUrl, tmp_path: Path) -> None:
    project = copy_fixture("data_migration", tmp_path / "crm")
    with client_for(project, empty_db, tmp_path / "data") as client:
        fields = form_of(client.get("/migrations/plan?action=upgrade&target=heads").text)
        # the scripts change after the review: the reviewed token no longer describes what would run
        script = next(project.glob("migrations/versions/*8e7f6a5b4c31*.py"))
        script.write_text(script.read_text() + "\n# edited after the review\n")
        changed = post_form(client, "/migrations/apply", {**fields, "backup": "off"})
        assert changed.status_code == 409 and "changed since you reviewed" in text_of(changed.text)
        assert "Review the plan again" in text_of(changed.text)
        fields = form_of(client.get("/migrations/plan?action=upgrade&target=1c2d3e4f5a60").text)
        # the database moves after the review (another tool upgraded it)
        other = form_of(client.get("/migrations/plan?action=upgrade&target=heads").text)
        first = post_form(client, "/migrations/apply", {**fields, "backup": "off"})
        wait_run(client, int(first.headers["location"].rsplit("/", 1)[1]))
        moved = post_form(client, "/migrations/apply", {**other, "backup": "off"})
        assert moved.status_code == 409 and "The database moved from base to 1c2d3e4f5a60" in text_of(moved.text)
        forged = post_form(client, "/migrations/apply", {**other, "plan_token": other["plan_token"][:-2] + "00"})
        assert forged.status_code == 400 and "not issued by this server" in text_of(forged.text)
    assert versions(empty_db) == ["1c2d3e4f5a60"]


def test_a_failing_run_through_a_wrapper_names_the_revision_and_the_error(empty_db: DatabaseUrl,
                                                                           tmp_path: Path) -> None:
    project = copy_fixture("wrapper_fail", tmp_path / "billing")
    with client_for(project, empty_db, tmp_path / "data", MIGRATE_COMMAND="python manage.py db") as client:
        assert "the project's own command: python manage.py db" in text_of(client.get("/migrations").text)
        fields = form_of(client.get("/migrations/plan?action=upgrade&target=heads").text)
        response = post_form(client, "/migrations/apply", {**fields, "backup": "off"})
        assert response.status_code == 303, text_of(response.text)[-1500:]
        page = text_of(wait_run(client, int(response.headers["location"].rsplit("/", 1)[1]), timeout=120))
    assert "failed" in page and "Failed in revision 8b2c3d4e5f60" in page, page[-3000:]
    assert "division by zero" in page and "DivisionByZero" in page
    assert "exited with code 1" not in page.split("Log")[0]  # the outcome names the error, not the exit code
    assert versions(empty_db) == ["7a1b2c3d4e5f"]
