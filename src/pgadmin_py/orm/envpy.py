"""Read an Alembic ``env.py`` for the models it imports, by parsing its source (never executing it).

``env.py`` connects to databases, configures logging and may read secrets: running it inside the server
is out of the question. But it must import every model module for autogenerate to work, and it names
the metadata in ``target_metadata = Base.metadata``. Those two facts are all we need.
"""

from __future__ import annotations

import ast
import configparser
from dataclasses import dataclass
from pathlib import Path

from pgadmin_py.core.settings import ALEMBIC_INI_CANDIDATES


@dataclass(frozen=True, slots=True)
class EnvFacts:
    path: Path
    target_spec: str | None  # "module:attr" naming what target_metadata comes from, e.g. "app.models:Base"
    modules: tuple[str, ...]  # project-local modules env.py imports (they register the models)


def find_env_py(project_dir: Path, alembic_ini: Path | None = None) -> Path | None:
    """The env.py next to the ini's ``script_location`` (a filesystem path); None when there is none."""
    candidates = [alembic_ini] if alembic_ini is not None else [project_dir / c for c in ALEMBIC_INI_CANDIDATES]
    for ini in candidates:
        if ini is None or not ini.is_file():
            continue
        parser = configparser.ConfigParser(defaults={"here": str(ini.resolve().parent)},
                                           interpolation=configparser.BasicInterpolation())
        try:
            parser.read(ini, encoding="utf-8")
            location = parser.get("alembic", "script_location", fallback=None)
        except (configparser.Error, UnicodeDecodeError):
            continue
        if not location or (":" in location and not Path(location).is_absolute()):
            continue  # a package resource location: not worth importing a package to find it
        path = Path(location)
        env = (path if path.is_absolute() else ini.resolve().parent / path) / "env.py"
        if env.is_file():
            return env
    return None


def _is_local(module: str, project_dir: Path, env_dir: Path) -> bool:
    top = module.split(".")[0]
    return any((base / top).is_dir() or (base / f"{top}.py").is_file()
               for base in (project_dir, project_dir / "src", env_dir))


def _is_module_file(module: str, project_dir: Path, env_dir: Path) -> bool:
    rel = Path(*module.split("."))
    return any((base / rel).is_dir() or (base / rel).with_suffix(".py").is_file()
               for base in (project_dir, project_dir / "src", env_dir))


def _attr_chain(node: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return []


def _target_spec(value: ast.expr, bound: dict[str, str]) -> str | None:
    """``Base.metadata`` -> where Base came from; ``models.Base.metadata`` -> "<models>:Base"."""
    if isinstance(value, ast.List | ast.Tuple) and value.elts:
        value = value.elts[0]
    chain = _attr_chain(value)
    if not chain or chain[0] not in bound:
        return None
    if chain[-1] == "metadata" and len(chain) > 1:
        chain = chain[:-1]
    origin = bound[chain[0]]
    if len(chain) == 1:  # `from app.models import Base` -> origin "app.models:Base"
        return origin if ":" in origin else None
    module = origin.replace(":", ".")
    return f"{module}:{'.'.join(chain[1:])}"


def read_env_py(path: Path, project_dir: Path) -> EnvFacts | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    bound: dict[str, str] = {}  # local name -> "module" or "module:attr"
    modules: list[str] = []
    target: ast.expr | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # `import app.models as m` binds m to app.models
                    bound[alias.asname] = alias.name
                else:  # `import app.models` binds app
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
                modules.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{node.module}:{alias.name}"
                    if _is_module_file(f"{node.module}.{alias.name}", project_dir, path.parent):
                        modules.append(f"{node.module}.{alias.name}")  # `from app import models`
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "target_metadata"
                                                  for t in node.targets):
            target = node.value
    local = tuple(dict.fromkeys(m for m in modules if _is_local(m, project_dir, path.parent)))
    spec = _target_spec(target, bound) if target is not None else None
    return EnvFacts(path=path, target_spec=spec, modules=local)
