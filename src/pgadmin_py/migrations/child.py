"""The program that runs Alembic in a child process: ``python child.py --ini X ACTION TARGET``.

It is executed as a *script file* (not ``-m``), so it also works under the project's own interpreter
(``ALEMBIC_PYTHON``) where pgadmin-py is not installed: it imports only the standard library and
Alembic. It prints ``::pgadmin-py:: begin <rev>`` / ``done <rev>`` markers around every revision so the
server can tell which revision failed, whatever the project's ``env.py`` does with logging.

Actions: ``upgrade``/``downgrade``/``stamp`` TARGET run online. ``sql-upgrade``/``sql-downgrade`` TARGET
``--from a,b`` print the offline SQL from the given revisions; ``sql-step`` REV ``--direction up|down``
prints the SQL of that one revision.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from pathlib import Path
from typing import Any

MARK = "::pgadmin-py::"


def _say(text: str) -> None:
    print(f"{MARK} {text}", file=sys.stderr, flush=True)


_DBAPI = {"psycopg2": "psycopg2", "psycopg": "psycopg", "psycopg_async": "psycopg", "asyncpg": "asyncpg",
          "pg8000": "pg8000", "psycopg2cffi": "psycopg2cffi"}
_ASYNC_HINTS = ("async_engine_from_config", "create_async_engine", "AsyncEngine", "asyncio.run", "anyio")


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _usable(driver: str) -> bool:
    """SQLAlchemy here has a dialect for ``driver`` and its DBAPI module is installed."""
    dialect = "psycopg" if driver == "psycopg_async" else driver
    return _importable(f"sqlalchemy.dialects.postgresql.{dialect}") and _importable(_DBAPI.get(driver, driver))


def choose_url(url: str, ini_url: str | None, env_source: str) -> str:
    """``url`` with a driver this interpreter's SQLAlchemy can load, never one it cannot.

    The driver the ini names (``postgresql+asyncpg://``) is kept when it is installed; an async env.py
    gets an async-capable driver (psycopg 3 needs SQLAlchemy 2.0+, else asyncpg); otherwise SQLAlchemy's
    own default for ``postgresql://`` (psycopg2 up to 2.0, psycopg from 2.1) when installed, else another
    installed driver. With none, the bare URL lets SQLAlchemy name the missing module itself.
    """
    rest = url.split("://", 1)[1]
    requested = None
    if ini_url and "://" in ini_url:
        scheme = ini_url.split("://", 1)[0]
        if scheme.startswith("postgres") and "+" in scheme:
            requested = scheme.split("+", 1)[1]
    if requested and _usable(requested):
        return f"postgresql+{requested}://{rest}"
    if any(hint in env_source for hint in _ASYNC_HINTS):
        candidates = ["psycopg", "asyncpg"]
    else:
        default = None
        try:
            from sqlalchemy.dialects import postgresql

            default = getattr(postgresql.dialect, "driver", None)
        except Exception:  # noqa: BLE001 - no SQLAlchemy or a broken one: SQLAlchemy will say so itself
            return "postgresql://" + rest
        if default and _usable(default):
            return "postgresql://" + rest  # SQLAlchemy's own default works: no rewrite at all
        candidates = ["psycopg2", "psycopg", "pg8000"]
    for driver in candidates:
        if _usable(driver):
            return f"postgresql+{driver}://{rest}"
    return "postgresql://" + rest


def _config(ini: str, section: str, buffer: Any) -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config(ini, ini_section=section, output_buffer=buffer, stdout=buffer or sys.stdout)
    url = os.environ.get("DATABASE_URL")
    if url:
        try:
            env_source = Path(ScriptDirectory.from_config(cfg).dir, "env.py").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            env_source = ""
        except Exception:  # noqa: BLE001 - Alembic will report a broken configuration itself, later
            env_source = ""
        url = choose_url(url, cfg.get_main_option("sqlalchemy.url"), env_source)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _wrap(steps: list[Any], announce: bool) -> list[Any]:
    """Put begin/done markers around each step's migration function."""
    import functools

    if not announce:
        return steps
    for step in steps:
        inner = getattr(step, "migration_fn", None)
        revision = getattr(step, "revision", None)
        if inner is None or revision is None or getattr(inner, "_pgadmin_wrapped", False):
            continue
        direction = "upgrade" if step.is_upgrade else "downgrade"

        @functools.wraps(inner)
        def wrapped(*args: Any, _inner: Any = inner, _rev: str = revision.revision, _dir: str = direction,
                    **kw: Any) -> Any:
            import time

            _say(f"begin {_dir} {_rev}")
            started = time.perf_counter()
            result = _inner(*args, **kw)
            _say(f"done {_dir} {_rev} {(time.perf_counter() - started) * 1000:.1f}ms")
            return result

        wrapped._pgadmin_wrapped = True  # type: ignore[attr-defined]
        step.migration_fn = wrapped
    return steps


def _run(cfg: Any, target: str, *, direction: str, sql: bool, starting: list[str] | None,
         single_step: bool = False) -> None:
    from alembic.runtime.environment import EnvironmentContext
    from alembic.runtime.migration import MigrationStep
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(cfg)

    def fn(rev: Any, context: Any) -> list[Any]:
        if single_step:
            revision = script.get_revision(target)
            if direction == "up":
                return [MigrationStep.upgrade_from_script(script.revision_map, revision)]
            return [MigrationStep.downgrade_from_script(script.revision_map, revision)]
        if direction == "up":
            return _wrap(list(script._upgrade_revs(target, rev)), not sql)
        heads = [h for h in (rev or ()) if h]
        if target == "-1" and len(heads) == 1:
            # one step down from a single head, merges included (Alembic's walk finds a merge's -1 ambiguous)
            step = MigrationStep.downgrade_from_script(script.revision_map, script.get_revision(heads[0]))
            return _wrap([step], not sql)
        return _wrap(list(script._downgrade_revs(target, rev)), not sql)

    with EnvironmentContext(cfg, script, fn=fn, as_sql=sql, starting_rev=starting or None,
                            destination_rev=target):
        script.run_env()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pgadmin-py-alembic-child")
    parser.add_argument("--ini", required=True)
    parser.add_argument("--section", default="alembic")
    parser.add_argument("--from", dest="start", default="")
    parser.add_argument("--direction", default="up")
    parser.add_argument("action")
    parser.add_argument("target")
    args = parser.parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)-5.5s [%(name)s] %(message)s")
    starting = [s for s in args.start.split(",") if s]
    try:
        if args.action in {"upgrade", "downgrade"}:
            _say(f"start {args.action} {args.target}")
            cfg = _config(args.ini, args.section, None)
            _run(cfg, args.target, direction="up" if args.action == "upgrade" else "down", sql=False, starting=None)
        elif args.action == "stamp":
            from alembic import command

            _say(f"start stamp {args.target}")
            command.stamp(_config(args.ini, args.section, None), args.target, purge=True)
        elif args.action in {"sql-upgrade", "sql-downgrade", "sql-step"}:
            buffer = io.StringIO()
            cfg = _config(args.ini, args.section, buffer)
            if args.action == "sql-step":
                _run(cfg, args.target, direction=args.direction, sql=True, starting=starting, single_step=True)
            else:
                _run(cfg, args.target, direction="up" if args.action == "sql-upgrade" else "down", sql=True,
                     starting=starting)
            sys.stdout.write(buffer.getvalue())
        else:
            parser.error(f"unknown action {args.action}")
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - report every failure in one recognisable line, then the traceback
        import traceback

        traceback.print_exc()
        _say(f"error {type(exc).__name__}: {exc}".replace("\n", " "))
        return 1
    _say("finished")
    return 0


if __name__ == "__main__":
    # Run as a file, Python put this package's directory first on sys.path: remove it so our module
    # names (project, scripts, status...) can never shadow the user's own modules.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    # The project directory (our working directory) goes *last*: the modules of a project that is not
    # installed are found, as with `python -m alembic` there, but a logging/ or types.py of the project can
    # never shadow the standard library or an installed package. Alembic prepends prepend_sys_path itself.
    if str(Path.cwd()) not in sys.path:
        sys.path.append(str(Path.cwd()))
    sys.exit(main())
