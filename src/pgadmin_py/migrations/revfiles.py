"""Revision files as the pages show them: each revision's author, and "View file", the source of a revision
file highlighted. Only the project's own revision files are served (the files Alembic's version locations hold,
as the probe reports them); any other path, however spelled, is refused."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.errors import NotFound
from pgadmin_py.migrations.authors import Author, AuthorLookup
from pgadmin_py.migrations.graph import Revision, RevisionGraph
from pgadmin_py.migrations.highlight import python_html
from pgadmin_py.migrations.service import MigrationsService


@dataclass(frozen=True, slots=True)
class FileView:
    revision: Revision
    path: Path
    shown_path: str  # relative to the project directory when inside it
    html: str
    lines: int
    size: int
    author: Author | None


def shown(path: Path, project_dir: Path) -> str:
    """The path as the user knows it: relative to the project directory when it is inside."""
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


class RevisionFiles:
    """One per app: the author lookup's cache lives here."""

    def __init__(self, migrations: MigrationsService) -> None:
        self.migrations = migrations
        self.lookup = AuthorLookup()

    def authors(self, graph: RevisionGraph) -> tuple[tuple[str, str], ...]:
        """(revision, author's name) for the graph's rows: hashable, so the memoized graph fragment can take it."""
        paths = {rev.script.path: rev_id for rev_id, rev in graph.revisions.items()}
        found = self.lookup.authors(list(paths))
        return tuple(sorted((paths[p], a.name) for p, a in found.items()))

    def author(self, path: Path) -> Author | None:
        return self.lookup.authors([path]).get(path)

    def link(self, path: Path) -> str:
        return shown(path, self.migrations.settings.project_dir)

    def view(self, asked: str) -> FileView:
        """The revision file ``asked`` names (relative to the project directory, or absolute), highlighted."""
        project_dir = self.migrations.settings.project_dir
        refused = NotFound(f"{asked!r} is not a revision file of this project.",
                           "Open a revision from the graph and follow its View file link.")
        if not asked or "\x00" in asked or len(asked) > 4096:
            raise refused
        try:
            wanted = Path(os.path.normpath(project_dir / asked)).resolve(strict=True)
        except (OSError, ValueError, RuntimeError):
            raise refused from None
        _, graph, _ = self.migrations.graph()
        for revision in graph.revisions.values():
            if revision.script.path.resolve() == wanted:
                break
        else:
            raise refused
        source = wanted.read_text(encoding="utf-8", errors="replace")
        return FileView(revision, wanted, shown(wanted, project_dir), python_html(source), source.count("\n") + 1,
                        len(source.encode()), self.author(revision.script.path))
