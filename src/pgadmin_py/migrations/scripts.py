"""Read revision scripts by parsing their source, never by importing them.

Alembic's ScriptDirectory executes every script, and real scripts import the application (which may
not be installed where pgadmin-py runs). Parsing the module-level assignments with :mod:`ast` gives
the same graph facts and works on any project. One parse of a file gives every fact the pages need
(graph facts, what the script destroys, what it imports); :class:`ScriptCache` keeps them per file
content, so a page over 400 revisions parses nothing when no file changed.
"""

from __future__ import annotations

import ast
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from pgadmin_py.core.pyast import parse_module
from pgadmin_py.migrations.analysis import SourceAnalysis, analyze_tree
from pgadmin_py.migrations.project import AlembicProject

_CREATE_DATE = re.compile(r"^Create Date:\s*(.+)$", re.MULTILINE)
_FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")
_COLLECTIONS = {"tuple", "list", "set", "frozenset"}


@dataclass(frozen=True, slots=True)
class RevisionScript:
    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    message: str
    create_date: str | None
    path: Path
    # facts from the same parse: what upgrade()/downgrade() destroy, and the top-level modules imported
    analysis: SourceAnalysis | None = field(default=None, compare=False)
    imports: frozenset[str] = field(default=frozenset(), compare=False)


_Env = dict[str, tuple[ast.expr, "_Env"]]  # module-level name -> (its value, the names bound before it)


def _literal(node: ast.expr, names: _Env, depth: int = 0) -> object:
    """The value of a literal the way Python would evaluate it, also through ``frozenset((...))``-style
    calls and names bound earlier in the module (``LABELS = ("expand",)`` then ``branch_labels = LABELS``)."""
    if depth > 20:
        raise ValueError("too deep")
    if isinstance(node, ast.Name) and node.id in names:
        value, before = names[node.id]
        return _literal(value, before, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _COLLECTIONS \
            and node.func.id not in names and not node.keywords and len(node.args) <= 1:
        return tuple(_iterable(_literal(node.args[0], names, depth + 1))) if node.args else ()
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return tuple(_literal(e, names, depth + 1) for e in node.elts)
    return ast.literal_eval(node)


def _iterable(value: object) -> tuple[object, ...]:
    if isinstance(value, str):
        return tuple(value)  # frozenset("ab") is {"a", "b"}, as Python would have it
    if isinstance(value, tuple | list | set | frozenset):
        return tuple(value)
    raise ValueError("not iterable")


def _as_tuple(found: tuple[ast.expr, _Env] | None) -> tuple[str, ...]:
    """``None``, a string or a collection of strings, normalized as Alembic's ``util.to_tuple`` does."""
    if found is None:
        return ()
    try:
        value = _literal(*found)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return ()
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list | set | frozenset):
        items = [str(v) for v in value if v is not None]
        return tuple(sorted(items)) if isinstance(value, set | frozenset) else tuple(items)
    return ()


def _imports(tree: ast.Module) -> frozenset[str]:
    """Top-level modules imported anywhere in the script. Imports are statements, so only statement
    bodies are walked, never expressions (ast.walk over every node costs more than the parse)."""
    names: set[str] = set()
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        else:
            for name in ("body", "orelse", "finalbody"):
                stack.extend(getattr(node, name, ()))
            for handler in getattr(node, "handlers", ()):
                stack.extend(handler.body)
            for case in getattr(node, "cases", ()):
                stack.extend(case.body)
    return frozenset(names)


def script_from_tree(tree: ast.Module, path: Path) -> RevisionScript | None:
    """The revision facts of a parsed script, or None when the module declares no revision."""
    found: dict[str, tuple[ast.expr, _Env]] = {}
    bound: _Env = {}  # every module-level name so far, for values given through a name
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        else:
            continue
        if name in _FIELDS:
            found[name] = (value, bound)
        bound = {**bound, name: (value, bound)}
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
        analysis=analyze_tree(tree),
        imports=_imports(tree),
    )


def parse_script(path: Path) -> RevisionScript | None:
    """The revision facts of one script, or None when the file is not a revision script."""
    try:
        source = path.read_text(encoding="utf-8")
        tree = parse_module(source, filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    return script_from_tree(tree, path)


class ScriptCache:
    """Parsed facts per revision file, kept while the file's content stamp (mtime, size, inode) holds.

    Owned by the app (one per process), bounded to ``max_files`` (least recently read dropped first).
    A miss is parsed while holding the cache's lock, so concurrent first visits parse each file once.
    """

    def __init__(self, max_files: int = 20_000) -> None:
        self.max_files = max_files
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[tuple[int, int, int], RevisionScript | None]] = OrderedDict()
        self.parses = 0  # how many files were actually parsed: tests read it to prove the cache works

    def get(self, file: str) -> RevisionScript | None:
        """The facts of ``file`` (a path as a string), parsed only when its stamp changed."""
        try:
            st = os.stat(file)  # noqa: PTH116 - a str path: no Path object per file and per view
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            hit = self._entries.get(file)
            if hit is not None and hit[0] == stamp:
                self._entries.move_to_end(file)
                return hit[1]
            script = parse_script(Path(file))
            self.parses += 1
            self._entries[file] = (stamp, script)
            self._entries.move_to_end(file)
            while len(self._entries) > self.max_files:
                self._entries.popitem(last=False)
            return script


def script_files(project: AlembicProject) -> list[str]:
    """The candidate files, in the order Alembic's ScriptDirectory loads them (per location, by name).
    Plain strings: building 400 Path objects per page view cost more than the rest of the listing."""
    files: list[str] = []
    for location in project.version_locations:
        if not location.is_dir():
            continue
        if project.recursive:
            files += [str(p) for p in sorted(location.glob("**/*.py"))
                      if "__pycache__" not in p.parts and not p.name.startswith("__")]
        else:
            with os.scandir(location) as entries:
                files += sorted(e.path for e in entries
                                if e.name.endswith(".py") and not e.name.startswith("__") and e.is_file())
    return files


def read_scripts(project: AlembicProject, cache: ScriptCache | None = None) -> list[RevisionScript]:
    """Every revision script of the project, in version-location then file-name order."""
    scripts: list[RevisionScript] = []
    for file in script_files(project):
        script = cache.get(file) if cache is not None else parse_script(Path(file))
        if script is not None:
            scripts.append(script)
    return scripts
