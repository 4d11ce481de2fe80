"""A rehearsal through Flask-Migrate (issue 13, section 3): `flask db upgrade` in the project's own virtualenv,
pointed at the throwaway copy because the app reads DATABASE_URL from the environment; the real database stays
as it was."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from test_real_layouts import text_of, ui

from pgadmin_py.core.dburl import DatabaseUrl
from support.projects import FACTS
from support.web import csrf_token


def test_a_flask_migrate_project_is_rehearsed_on_the_copy(project_copy: Callable[[str], Path],
                                                          fresh_db: Callable[[], DatabaseUrl], tmp_path: Path) -> None:
    project, url = project_copy("flask_migrate"), fresh_db()
    head = FACTS["flask_migrate"].heads[0]
    with ui("flask_migrate", project, url, tmp_path / "data") as client:
        plan = f"/migrations/plan?action=upgrade&target={head}"
        assert "Rehearse on a copy" in client.get(plan).text
        response = client.post("/migrations/rehearse", data={"action": "upgrade", "target": head},
                               headers={"x-csrftoken": csrf_token(client, plan)}, follow_redirects=False)
        assert response.status_code == 303, response.text[-1500:]
        run = response.headers["location"]
        deadline = time.monotonic() + 180
        while re.search(r'data-testid="run-status">[^<]*<[^>]*>[^<]*running', page := client.get(run).text) or \
                'data-testid="run-status"' not in page:
            assert time.monotonic() < deadline, "the rehearsal did not finish"
            time.sleep(0.2)
    words = text_of(page)
    assert "rehearsal passed" in words, words[-3000:]
    assert "via Flask-Migrate" in words and "CREATE TABLE" in words  # its statements timed through flask db
    with psycopg.connect(url.libpq(), autocommit=True) as conn:
        assert conn.execute("select to_regclass('alembic_version')").fetchone() == (None,)  # never migrated
        left = conn.execute("select count(*) from pg_database where datname like 'pgadmin\\_py\\_rehearsal\\_%'")
        assert left.fetchone() == (0,)
