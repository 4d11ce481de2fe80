"""The configuration probe: ``python probe.py --ini X --section S`` prints one JSON object and exits.

It runs in the *project's* interpreter, in the project directory, as a script file (so it works where
pgadmin-py is not installed: standard library and Alembic only, Python 3.8+). It asks Alembic's own
``Config`` and ``ScriptDirectory.from_config`` where the scripts are, exactly as ``alembic -c X -n S``
would resolve them (``%(here)s``, ``package:path``, paths relative to the working directory,
``version_locations`` with its separator, ``recursive_version_locations``, ``prepend_sys_path``,
``pyproject.toml`` from Alembic 1.16), without loading any revision script: ``revision_map`` and
``walk_revisions`` import every script, and real scripts import their application.

Flask-Migrate keeps ``migrations/alembic.ini`` with no ``script_location`` and sets it to the ini's
directory at run time; the probe does the same when an ``env.py`` sits beside such an ini.

Output: ``{"ok": true, ...facts}`` or ``{"ok": false, "error": ..., "cause": ..., "fix": ...}``.
The database URL is never printed: only whether the ini sets ``sqlalchemy.url``.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import os
import sys
from typing import Any


def _version(dist: str) -> str | None:
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        return metadata.version(dist)
    except Exception:  # noqa: BLE001 - any broken metadata means "not known"
        return None


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _drivers() -> dict[str, Any]:
    """The PostgreSQL drivers of this interpreter, and which ones its SQLAlchemy has a dialect for."""
    found = {name: _importable(name) for name in ("psycopg2", "psycopg", "asyncpg", "pg8000")}
    dialects = {name: _importable(f"sqlalchemy.dialects.postgresql.{name}")
                for name in ("psycopg2", "psycopg", "asyncpg", "pg8000")}
    default = None
    if _importable("sqlalchemy"):
        try:
            from sqlalchemy.dialects import postgresql

            default = getattr(postgresql.dialect, "driver", None)
        except Exception:  # noqa: BLE001 - an unloadable dialect leaves the default unknown
            default = None
    return {"installed": found, "dialects": dialects, "default": default}


def _fail(error: str, fix: str, cause: str = "") -> dict[str, Any]:
    return {"ok": False, "error": error, "cause": cause, "fix": fix}


def _config(ini: str, section: str) -> Any:
    from alembic.config import Config

    kwargs: dict[str, Any] = {"ini_section": section}
    if "toml_file" in inspect.signature(Config.__init__).parameters:
        kwargs["toml_file"] = "pyproject.toml"  # what the alembic command passes (Alembic 1.16+)
    return Config(ini, **kwargs)


def _main_option(cfg: Any, name: str) -> str | None:
    getter = getattr(cfg, "get_alembic_option", None)  # 1.16+: the ini, then [tool.alembic] in pyproject.toml
    value = getter(name) if getter is not None else cfg.get_main_option(name)
    return value if isinstance(value, str) else None


def _top_level_imports(path: str) -> list[str]:
    import ast

    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module.split(".")[0])
    return names


def missing_imports(files: list[str]) -> list[list[str]]:
    """``[module, file name]`` for each top-level module that env.py or a script imports and that this
    interpreter cannot find on the sys.path Alembic gives it (read statically: nothing is imported)."""
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names) | {"__future__"}
    seen: set[str] = set()
    missing: list[list[str]] = []
    for path in files:
        for module in _top_level_imports(path):
            if module in seen or module in stdlib:
                continue
            seen.add(module)
            if not _importable(module):
                missing.append([module, os.path.basename(path)])
    return missing


def _script_files(locations: list[str], recursive: bool) -> list[str]:
    files: list[str] = []
    for location in locations:
        if not os.path.isdir(location):
            continue
        for root, dirs, names in os.walk(location):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__") if recursive else []
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".py") and not n.startswith("__")]
    return files


def _uses_app_context(env_py: str) -> bool:
    """env.py imports Flask or Flask-Migrate (``from flask import current_app``): it needs the app."""
    return bool({"flask", "flask_migrate"} & set(_top_level_imports(env_py)))


def probe(ini: str, section: str) -> dict[str, Any]:
    facts: dict[str, Any] = {"python": sys.executable, "python_version": "%d.%d.%d" % sys.version_info[:3],
                             "cwd": os.getcwd(), "ini": os.path.abspath(ini), "section": section}
    try:
        import alembic
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError
    except ImportError as exc:
        return dict(facts, **_fail(f"Alembic cannot be imported in {sys.executable}: {exc}",
                                   "Install the project's requirements (with alembic) in that environment, or "
                                   "set ALEMBIC_PYTHON to the interpreter that runs the project's migrations.",
                                   cause="alembic-missing"))
    facts["alembic"] = getattr(alembic, "__version__", None) or _version("alembic")
    facts["sqlalchemy"] = _version("SQLAlchemy") or _version("sqlalchemy")
    facts["flask_migrate"] = _version("Flask-Migrate")
    facts["flask"] = _version("Flask")
    facts["drivers"] = _drivers()
    if not os.path.isfile(ini):
        return dict(facts, **_fail(f"{ini} does not exist", "Point ALEMBIC_CONFIG at the project's alembic.ini.",
                                   cause="no-ini"))
    try:
        cfg = _config(ini, section)
        parser = cfg.file_config
        if not parser.has_section(section):
            sections = ", ".join(parser.sections()) or "(none)"
            return dict(facts, **_fail(f"{os.path.basename(ini)} has no [{section}] section",
                                       f"Set ALEMBIC_SECTION to one of: {sections}.", cause="no-section"))
        raw_location = _main_option(cfg, "script_location")
        facts["script_location"] = raw_location
        facts["flask_migrate_layout"] = False
        here = os.path.dirname(os.path.abspath(ini))
        if not raw_location:
            beside = os.path.join(here, "env.py")
            if not os.path.isfile(beside):
                return dict(facts, **_fail(f"[{section}] in {os.path.basename(ini)} sets no script_location",
                                           "Add script_location = %(here)s/migrations (or your directory) to "
                                           "the ini.", cause="no-script-location"))
            cfg.set_main_option("script_location", here)  # what Flask-Migrate's Migrate.get_config does
            facts["flask_migrate_layout"] = True
        before = list(sys.path)
        script = ScriptDirectory.from_config(cfg)
        added = len(sys.path) - len(before)
        prepended = sys.path[:added] if added > 0 and sys.path[added:] == before else []
        locations = getattr(script, "_version_locations", None)
        if locations is None:  # not expected in 1.7+, but never load the revisions to find out
            locations = [os.path.join(script.dir, "versions")]
        facts.update(
            script_dir=os.path.abspath(str(script.dir)),
            env_py=os.path.join(os.path.abspath(str(script.dir)), "env.py"),
            version_locations=[os.path.abspath(str(p)) for p in locations],
            version_locations_raw=[str(p) for p in (script.version_locations or ())],
            recursive=bool(getattr(script, "recursive_version_locations", False)),
            prepend_sys_path=[os.path.abspath(p) for p in prepended],
            prepend_sys_path_raw=prepended,
            path_separator=cfg.get_main_option("path_separator"),
            version_path_separator=cfg.get_main_option("version_path_separator"),
            has_url=bool(cfg.get_main_option("sqlalchemy.url")),
            toml=getattr(cfg, "toml_file_name", None) if os.path.isfile("pyproject.toml") else None,
        )
        facts["env_uses_app_context"] = _uses_app_context(facts["env_py"])
        files = [facts["env_py"], *_script_files(facts["version_locations"], facts["recursive"])]
        facts["missing_modules"] = missing_imports(files)
    except CommandError as exc:
        return dict(facts, **_fail(f"Alembic refuses the configuration: {exc}",
                                   "Check script_location / version_locations in the ini (relative paths are "
                                   "relative to PROJECT_DIR, where the alembic command runs).",
                                   cause="command-error"))
    except (ModuleNotFoundError, ImportError) as exc:
        return dict(facts, **_fail(f"script_location names a package that cannot be imported: {exc}",
                                   "Install the project (pip install -e .) in its environment, or add "
                                   "prepend_sys_path = . to the ini.", cause="package-missing"))
    except Exception as exc:  # noqa: BLE001 - report any failure as one JSON error, never a traceback
        return dict(facts, **_fail(f"{type(exc).__name__}: {exc}",
                                   "Check the ini file (its syntax, and the options Alembic reads).",
                                   cause=type(exc).__name__))
    facts["ok"] = True
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pgadmin-py-alembic-probe")
    parser.add_argument("--ini", required=True)
    parser.add_argument("--section", default="alembic")
    args = parser.parse_args(argv)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Alembic's deprecation warnings are not the probe's output
        facts = probe(args.ini, args.section)
    sys.stdout.write(json.dumps(facts) + "\n")
    return 0


if __name__ == "__main__":
    # Run as a file, Python put this package's directory first on sys.path: remove it so our module
    # names can never shadow the user's own modules, as child.py does.
    if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
        del sys.path[0]
    # The project directory (our working directory) goes *last*: the modules of a project that is not
    # installed are found, as with `python -m alembic` there, but a logging/ or types.py of the project can
    # never shadow the standard library or an installed package. Alembic prepends prepend_sys_path itself.
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    sys.exit(main())
