"""Locate an Alembic project's scripts from its ini file, without importing anything.

Honours ``%(here)s``, package-resource ``script_location`` (``pkg:path``), ``version_locations``
(with Alembic's separators), ``recursive_version_locations`` and multi-section ini files.
"""

from __future__ import annotations

import configparser
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.errors import AppError


class AlembicProjectError(AppError):
    title = "Cannot read the Alembic project"


@dataclass(frozen=True, slots=True)
class AlembicProject:
    ini_path: Path
    section: str
    script_location: Path
    version_locations: tuple[Path, ...]
    recursive: bool
    options: dict[str, str]


def _split_locations(raw: str, separator: str | None) -> list[str]:
    sep = {"space": " ", "newline": "\n", "os": ":", ":": ":", ";": ";", ",": ","}.get(separator or "")
    if sep is None:
        return raw.replace(",", " ").split()
    return [part.strip() for part in raw.split(sep) if part.strip()]


def _resource_path(location: str, here: Path) -> Path:
    if ":" in location and not Path(location).is_absolute() and location[1:3] != ":\\":
        package, _, sub = location.partition(":")
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise AlembicProjectError(
                f"script_location {location!r} names package {package!r}, which cannot be found",
                "Put the project directory on PYTHONPATH, or use a filesystem path in alembic.ini.")
        return Path(next(iter(spec.submodule_search_locations))) / sub
    path = Path(location)
    return path if path.is_absolute() else (here / path)


def read_project(ini_path: Path, section: str = "alembic") -> AlembicProject:
    here = ini_path.resolve().parent
    parser = configparser.ConfigParser(defaults={"here": str(here)}, interpolation=configparser.BasicInterpolation())
    try:
        parser.read(ini_path, encoding="utf-8")
    except configparser.Error as exc:
        raise AlembicProjectError(f"{ini_path.name} cannot be parsed: {exc}", "Check the ini file syntax.") from None
    if not parser.has_section(section):
        raise AlembicProjectError(
            f"{ini_path} has no [{section}] section",
            f"Set ALEMBIC_SECTION to one of: {', '.join(parser.sections()) or '(none)'}.")
    options = {k: v for k, v in parser.items(section) if k != "here"}
    raw_location = options.get("script_location")
    if not raw_location:
        raise AlembicProjectError(f"[{section}] in {ini_path.name} sets no script_location",
                                  "Add script_location = %(here)s/migrations (or your directory).")
    script_location = _resource_path(raw_location, here).resolve()
    raw_versions = options.get("version_locations")
    if raw_versions:
        versions = tuple(_resource_path(p, here).resolve()
                         for p in _split_locations(raw_versions, options.get("version_path_separator")))
    else:
        versions = (script_location / "versions",)
    recursive = options.get("recursive_version_locations", "false").strip().lower() in {"true", "1", "yes"}
    return AlembicProject(ini_path.resolve(), section, script_location, versions, recursive, options)
