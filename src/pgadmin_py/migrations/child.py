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


def _config(ini: str, section: str, buffer: Any) -> Any:
    from alembic.config import Config

    cfg = Config(ini, ini_section=section, output_buffer=buffer, stdout=buffer or sys.stdout)
    url = os.environ.get("DATABASE_URL")
    if url:
        try:
            import psycopg  # noqa: F401

            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        except ImportError:
            pass
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
            _say(f"begin {_dir} {_rev}")
            result = _inner(*args, **kw)
            _say(f"done {_dir} {_rev}")
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
    sys.exit(main())
