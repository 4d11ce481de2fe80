"""Who wrote each revision: the commit that added its file, from the project's git history, else an
``Author:`` line of the script's docstring.

One ``git log`` per version location (not one per file: 400 revisions would be 400 processes on a first
view), oldest commit first, with rename detection: a file's author is the author of the commit that added
it, carried through renames, as ``git log --follow`` would find it. It runs as a child process with a
timeout, and its answer is kept while no file of the location changed (names, mtimes and sizes).
"""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.pyast import parse_module

GIT_TIMEOUT = 10.0
_AUTHOR_LINE = re.compile(r"^\s*Author:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)
_EMAIL = re.compile(r"^(.*?)\s*<([^>]+)>$")
_RECORD = "\x1e"
_FIELD = "\x1f"


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    email: str | None
    source: str  # git | docstring
    date: str | None = None  # when the file was added (git), ISO 8601

    @property
    def words(self) -> str:
        when = f", added {self.date[:10]}" if self.date else ""
        return f"{self.name}{when} ({'git history' if self.source == 'git' else 'the docstring'})"


def docstring_author(path: Path) -> Author | None:
    """The ``Author:`` line of the module docstring (``Author: Ada <ada@example.com>``)."""
    try:
        doc = ast.get_docstring(parse_module(path.read_text(encoding="utf-8"), filename=str(path))) or ""
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    match = _AUTHOR_LINE.search(doc)
    if match is None:
        return None
    text = match.group(1)
    if (mail := _EMAIL.match(text)) is not None:
        return Author(mail.group(1) or mail.group(2), mail.group(2), "docstring")
    return Author(text, None, "docstring")


def parse_git_log(output: str) -> dict[str, Author]:
    """``git log --reverse -M --name-status`` (records ``\\x1ename\\x1femail\\x1fdate``) -> path -> the author
    of the commit that added it, carried through renames and forgotten on deletion."""
    added: dict[str, Author] = {}
    for record in output.split(_RECORD)[1:]:
        head, _, body = record.partition("\n")
        name, email, date = [*head.split(_FIELD), "", "", ""][:3]
        author = Author(name.strip(), email.strip() or None, "git", date.strip() or None)
        for line in body.splitlines():
            parts = line.split("\t")
            status = parts[0][:1]
            if status == "A" and len(parts) == 2:
                added.setdefault(parts[1], author)
            elif status in {"R", "C"} and len(parts) == 3:
                added[parts[2]] = added.pop(parts[1], author) if status == "R" else author
            elif status == "D" and len(parts) == 2:
                added.pop(parts[1], None)
    return added


def git_authors(location: Path) -> dict[str, Author]:
    """File name (relative to ``location``) -> who added it; empty when ``location`` is not in a git checkout
    or git is missing or slow."""
    command = ["git", "-c", "core.quotePath=false", "log", "--reverse", "-M", "--name-status", "--relative",
               f"--format={_RECORD}%an{_FIELD}%ae{_FIELD}%aI", "--", "."]
    try:
        result = subprocess.run(command, cwd=location, capture_output=True, text=True, timeout=GIT_TIMEOUT,
                                check=False, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return parse_git_log(result.stdout) if result.returncode == 0 else {}


def _stamp(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for file in files:
        try:
            st = file.stat()
        except OSError:
            continue
        stamps.append((str(file), st.st_mtime_ns, st.st_size))
    return tuple(sorted(stamps))


class AuthorLookup:
    """The authors of revision files, kept per version location while its files are unchanged."""

    def __init__(self, max_locations: int = 64) -> None:
        self._git: BoundedCache[tuple[object, ...], dict[str, Author]] = BoundedCache(max_locations)
        self._doc: BoundedCache[tuple[str, int], tuple[Author | None]] = BoundedCache(20_000)  # (None,): none

    def authors(self, files: list[Path]) -> dict[Path, Author]:
        """Each file's author, when git or its docstring names one."""
        by_dir: dict[Path, list[Path]] = {}
        for file in files:
            by_dir.setdefault(file.parent, []).append(file)
        found: dict[Path, Author] = {}
        for location, group in by_dir.items():
            known = self._git.get_or_build((str(location), _stamp(group)), functools.partial(git_authors, location))
            for file in group:
                author = known.get(file.name) or self._docstring(file)
                if author is not None:
                    found[file] = author
        return found

    def _docstring(self, file: Path) -> Author | None:
        try:
            mtime = file.stat().st_mtime_ns
        except OSError:
            return None
        return self._doc.get_or_build((str(file), mtime), lambda: (docstring_author(file),))[0]
