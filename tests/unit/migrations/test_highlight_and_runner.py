"""Highlighting uses classes only (CSP); the generated CSS is in sync; child output is diagnosed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pgadmin_py.core.interpreter import ProjectPython
from pgadmin_py.db.conninfo import parse_database_url
from pgadmin_py.migrations.highlight import highlight_css, python_html, sql_html
from pgadmin_py.migrations.pgtools import choose_tools
from pgadmin_py.migrations.runner import RunnerConfig, diagnose, progress_revision

CSS = Path(__file__).resolve().parents[3] / "static" / "css" / "migrations-highlight.css"


def test_highlight_has_no_inline_styles() -> None:
    html = python_html("def upgrade():\n    op.drop_table('x')\n", [2]) + sql_html("DROP TABLE x;")
    assert "style=" not in html
    assert '<span class="hll">' in html and 'class="k"' in html


def test_generated_css_is_in_sync_and_covers_both_themes() -> None:
    css = highlight_css()
    assert CSS.read_text() == css, "regenerate: python -m pgadmin_py.migrations.highlight > " + str(CSS)
    assert '[data-theme="dark"] .hl .k' in css and '[data-theme="light"] .hl .k' in css


OURS = ProjectPython("/usr/bin/python3", "no virtualenv found", own=True)


def _config(python: ProjectPython = OURS, **kw: Any) -> RunnerConfig:
    return RunnerConfig(Path("/p/alembic.ini"), "alembic", Path("/p"), parse_database_url("postgresql://u:secret@h/db"),
                        python, **kw)


def test_runner_modes_and_commands() -> None:
    assert _config().mode == "alembic"
    venv = ProjectPython("/venv/bin/python", "the virtualenv .venv/ in the project directory", own=False)
    assert _config(venv).child("upgrade", "head")[0] == "/venv/bin/python"
    wrapped = _config(migrate_command="flask --app web db")
    assert wrapped.mode == "MIGRATE_COMMAND"
    assert wrapped.run_command("downgrade", "abc") == ["flask", "--app", "web", "db", "downgrade", "abc"]
    flask = _config(venv, flask=True)
    assert flask.mode == "Flask-Migrate"
    assert flask.run_command("upgrade", "heads") == ["/venv/bin/python", "-m", "flask", "db", "upgrade", "-d", "/p",
                                                     "--", "heads"]
    env = _config().env()
    assert env["DATABASE_URL"].startswith("postgresql://u:secret@")
    assert env.get("PYTHONPATH") == os.environ.get("PYTHONPATH")  # never the project's or the ini's directory
    assert not any("secret" in part for part in _config().child("upgrade", "heads"))  # URL only in the environment


def test_last_exception_of_a_wrapper_run() -> None:
    output = ("INFO  [alembic.runtime.migration] Running upgrade a1 -> a2, add price\n"
              "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
              "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedTable) relation \"nope\" does not exist\n"
              "[SQL: ALTER TABLE nope ADD COLUMN x int]\n"
              "(Background on this error at: https://sqlalche.me/e/20/f405)\n")
    error, _ = diagnose(output, _config(migrate_command="flask db"))
    assert error == ("sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedTable) relation \"nope\" "
                     "does not exist")
    assert diagnose("Error: Could not locate a Flask application.\n", _config())[0] == \
        "Error: Could not locate a Flask application."


def test_diagnose_missing_module_names_the_fix() -> None:
    error, hint = diagnose("Traceback...\nModuleNotFoundError: No module named 'acme_billing'\n", _config())
    assert error is not None and "acme_billing" in error
    assert hint is not None and "ALEMBIC_PYTHON" in hint and "MIGRATE_COMMAND" in hint


def test_progress_lines() -> None:
    assert progress_revision("::pgadmin-py:: begin upgrade abc") == ("begin", "abc")
    assert progress_revision("::pgadmin-py:: done downgrade abc") == ("done", "abc")
    assert progress_revision("INFO  [alembic.runtime.migration] Running upgrade a -> b, msg") == ("begin", "b")
    assert progress_revision("INFO  [alembic.runtime.migration] Running downgrade b -> a, msg") == ("begin", "b")
    assert progress_revision("hello") is None


def test_no_pg_dump_says_what_to_install(tmp_path: Path) -> None:
    choice = choose_tools(99, [tmp_path])
    assert choice.tools is None
    assert choice.problem is not None and "postgresql-client-99" in choice.problem
