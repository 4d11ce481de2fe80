"""Which modules the project's env.py and scripts import that this interpreter cannot find.

Read statically (``ast``), never by importing, so the migrations page can say "module X is missing,
set ALEMBIC_PYTHON" before anyone clicks Apply.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

from pgadmin_py.core.pyast import parse_module
from pgadmin_py.migrations.graph import RevisionGraph
from pgadmin_py.migrations.project import AlembicProject


def top_level_imports(path: Path) -> set[str]:
    try:
        tree = parse_module(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _importable(module: str, roots: list[Path]) -> bool:
    if module in sys.stdlib_module_names or module == "__future__":
        return True
    if any((root / module).is_dir() or (root / f"{module}.py").is_file() for root in roots):
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_imports(project: AlembicProject, graph: RevisionGraph, project_dir: Path) -> list[tuple[str, str]]:
    """``(module, where)`` for each module that env.py or a script imports and that cannot be found."""
    roots = [project_dir, project.ini_path.parent, project.script_location]
    env = project.script_location / "env.py"
    # a script's imports were read by the same parse that gave its revision facts: no second parse
    files = [(env.name, top_level_imports(env)),
             *((rev.script.path.name, rev.script.imports) for rev in graph.revisions.values())]
    missing: dict[str, str] = {}
    for name, modules in files:
        for module in sorted(modules):
            if module not in missing and not _importable(module, roots):
                missing[module] = name
    return list(missing.items())
