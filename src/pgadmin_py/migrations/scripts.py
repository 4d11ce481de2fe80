"""Read revision scripts by parsing their source, never by importing them.

Alembic's ScriptDirectory executes every script, and real scripts import the application (which may
not be installed where pgadmin-py runs). Parsing the module-level assignments with :mod:`ast` gives
the same graph facts and works on any project.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.migrations.project import AlembicProject

_CREATE_DATE = re.compile(r"^Create Date:\s*(.+)$", re.MULTILINE)
_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")


@dataclass(frozen=True, slots=True)
class RevisionScript:
    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    message: str
    create_date: str | None
    path: Path


def _as_tuple(node: ast.expr | None) -> tuple[str, ...]:
    if node is None:
        return ()
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return ()
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(str(v) for v in value)
    return ()


def parse_script(path: Path) -> RevisionScript | None:
    """The revision facts of one script, or None when the file is not a revision script."""
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        else:
            continue
        if name in _FIELDS:
            found[name] = value
    revision = _as_tuple(found.get("revision"))
    if len(revision) != 1:
        return None
    doc = ast.get_docstring(tree) or ""
    date_match = _CREATE_DATE.search(doc)
    first_line = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    return RevisionScript(
        revision=revision[0],
        down_revisions=_as_tuple(found.get("down_revision")),
        branch_labels=_as_tuple(found.get("branch_labels")),
        depends_on=_as_tuple(found.get("depends_on")),
        message=first_line,
        create_date=date_match.group(1).strip() if date_match else None,
        path=path,
    )


def read_scripts(project: AlembicProject) -> list[RevisionScript]:
    scripts: list[RevisionScript] = []
    for location in project.version_locations:
        if not location.is_dir():
            continue
        pattern = "**/*.py" if project.recursive else "*.py"
        for path in sorted(location.glob(pattern)):
            if path.name.startswith("__") or "__pycache__" in path.parts:
                continue
            if (script := parse_script(path)) is not None:
                scripts.append(script)
    return scripts
