"""The server's modules leave out what only some pages need, so that the idle server stays small (issue 15):
Alembic (with Mako and Pygments, 10 MiB resident) is imported when a migration target is resolved, Pygments (2 MiB)
when code is first shown; pglast (libpg_query, 3 MiB) when SQL is first parsed (a console run, a format, a migration
review); SQLite when the console's library or the run history is first opened; difflib when a run's schema is
compared; ``xml.sax.saxutils`` (with urllib.request) when a diagram is drawn. Not when the server starts, and not
for the dashboard (``/``), which shows a superuser the SQL for a read-only role."""

from __future__ import annotations

import json
import subprocess
import sys

LATER = ("alembic", "mako", "pygments", "pglast", "sqlite3", "difflib", "xml.sax", "urllib.request")


def imported_after(code: str) -> list[str]:
    """Which of LATER a fresh interpreter has imported after running ``code``."""
    code += f"\nimport json, sys\nprint(json.dumps(sorted(m for m in {LATER!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names: list[str] = json.loads(out)
    return names


def test_starting_the_server_imports_none_of_the_later_modules() -> None:
    assert imported_after("import pgadmin_py.cli, pgadmin_py.web.app, pgadmin_py.web.state") == []


def test_the_dashboards_read_only_role_notice_parses_no_sql() -> None:
    code = ("from pgadmin_py.catalog.overview import DatabaseOverview\n"
            "from pgadmin_py.web.dashboard import role_notice\n"
            "overview = DatabaseOverview('shop', '17.2', 1, 1, 1, 1, False, 'postgres', True, True, ('public',),"
            " frozenset({'user', 'select'}))\n"
            "notice = role_notice(overview, None)\n"
            "assert notice is not None and 'GRANT USAGE ON SCHEMA public' in notice.sql, notice\n")
    assert imported_after(code) == []
