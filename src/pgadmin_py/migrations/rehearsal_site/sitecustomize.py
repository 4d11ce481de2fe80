"""Loaded by every Python process of a rehearsal (its directory goes first on ``PYTHONPATH``): our child, and
``python -m flask db`` or ``python manage.py db`` the same way, whatever env.py does.

With ``PGADMIN_PY_REHEARSAL_DB`` set (only a rehearsal sets it), every SQLAlchemy connection to a database
other than the copy is refused *before it is used* (a project whose configuration names its database itself
would otherwise migrate the real one), and every statement is timed: ``::pgadmin-py:: stmt <ms> <sql>``, and
``stmt-failed`` for the one that raised. Then the ``sitecustomize`` this one shadows, if any, is loaded.
Standard library and SQLAlchemy only: it runs in the project's interpreter.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any

ENV = "PGADMIN_PY_REHEARSAL_DB"
MARK = "::pgadmin-py::"


def _say(text: str) -> None:
    print(f"{MARK} {text}", file=sys.stderr, flush=True)


def _one_line(statement: object) -> str:
    return " ".join(str(statement).split())[:4000]


def install(database: str) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    def connected(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("select current_database()")
            name = cursor.fetchone()[0]
        finally:
            cursor.close()
        dbapi_conn.rollback()
        if name != database:
            raise RuntimeError(f"the migration connected to the database {name!r}, not to the rehearsal's copy "
                               f"{database!r}: a rehearsal needs the project's database URL to come from the "
                               "environment (DATABASE_URL, or sqlalchemy.url as pgadmin-py sets it); nothing was run "
                               "there")

    def before(conn: Any, _cursor: Any, _statement: Any, _params: Any, _context: Any, _many: Any) -> None:
        conn.info.setdefault("pgadmin_py_started", []).append(time.perf_counter())

    def took(conn: Any) -> float:
        stack = conn.info.get("pgadmin_py_started") if conn is not None else None
        return (time.perf_counter() - stack.pop()) * 1000 if stack else 0.0

    def after(conn: Any, _cursor: Any, statement: Any, _params: Any, _context: Any, _many: Any) -> None:
        _say(f"stmt {took(conn):.1f} {_one_line(statement)}")

    def failed(context: Any) -> None:
        _say(f"stmt-failed {took(context.connection):.1f} {_one_line(context.statement or '')}")

    event.listen(Pool, "connect", connected)
    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    event.listen(Engine, "handle_error", failed)


def _chain() -> None:
    """Load the sitecustomize this module shadows (a distribution's, a virtualenv's), as Python would have."""
    here = str(Path(__file__).resolve().parent)
    kept = sys.path[:]
    sys.path[:] = [p for p in sys.path if p and str(Path(p).resolve()) != here]
    mine = sys.modules.pop("sitecustomize", None)
    try:
        with contextlib.suppress(ImportError):
            importlib.import_module("sitecustomize")
    finally:
        sys.path[:] = kept
        if mine is not None:
            sys.modules["sitecustomize"] = mine


if os.environ.get(ENV):
    with contextlib.suppress(ImportError):  # no SQLAlchemy in this process: it cannot migrate anything either
        install(os.environ[ENV])
_chain()
