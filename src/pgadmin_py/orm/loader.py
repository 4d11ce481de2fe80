"""Import the user's declarative base from ``SQLALCHEMY_BASE`` (``module:attribute``).

Real projects hand us many shapes: a 2.0 ``DeclarativeBase`` subclass, a 1.4 ``declarative_base()``
result, a ``registry``, a bare ``MetaData``, Flask-SQLAlchemy's ``db`` or ``db.Model``, SQLModel's
``SQLModel``. All of them lead to a ``MetaData`` and (except a bare MetaData) a ``registry`` whose
mappers are the models. An import that fails is not fatal: the problem is kept, with a hint, and
the rest of the app works from database reflection alone.

Models that live in modules the base module never imports are found two ways: the modules listed in
``SQLALCHEMY_MODELS``, and the project-local imports of the Alembic ``env.py`` (which must import
every model for autogenerate to work). ``env.py`` is only *parsed* (see :mod:`pgadmin_py.orm.envpy`),
never executed: it connects to databases and configures logging.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.orm import Mapper, registry

from pgadmin_py.orm.envpy import EnvFacts, find_env_py, read_env_py


@dataclass(frozen=True, slots=True)
class ImportProblem:
    spec: str
    summary: str
    hint: str
    traceback: str
    sys_path: tuple[str, ...]
    missing_module: str | None = None


@dataclass(frozen=True, slots=True)
class LoadedModels:
    spec: str | None
    metadata: MetaData | None = None
    mappers: tuple[Mapper[object], ...] = ()
    problem: ImportProblem | None = None
    extra_modules: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = ()  # how the models were found, and non-fatal problems (an env.py import that failed)

    @property
    def model_count(self) -> int:
        return len(self.mappers)

    @property
    def table_count(self) -> int:
        return len(self.metadata.tables) if self.metadata is not None else 0


def _resolve(obj: object) -> tuple[MetaData, registry | None] | None:
    if isinstance(obj, MetaData):
        return obj, None
    if isinstance(obj, registry):
        return obj.metadata, obj
    reg: object = getattr(obj, "registry", None)
    if not isinstance(reg, registry):  # SQLModel keeps its registry at `_sa_registry`
        reg = getattr(obj, "_sa_registry", None)
    if not isinstance(reg, registry):  # Flask-SQLAlchemy's `db` keeps its base at `db.Model`
        reg = getattr(getattr(obj, "Model", None), "registry", None)
    metadata = getattr(obj, "metadata", None)
    if not isinstance(metadata, MetaData) and isinstance(reg, registry):
        metadata = reg.metadata
    if isinstance(metadata, MetaData):
        return metadata, reg if isinstance(reg, registry) else None
    return None


def _problem(spec: str, summary: str, hint: str, missing: str | None = None) -> ImportProblem:
    return ImportProblem(spec, summary, hint, traceback.format_exc(), tuple(sys.path), missing)


def _not_found_hint(spec: str, module_name: str, missing: str, project_dir: Path) -> str:
    if module_name == missing or module_name.startswith(missing + "."):
        tried = project_dir / Path(*module_name.split("."))
        return (f"Python cannot find {missing!r} (looked for {tried}.py and {tried}/__init__.py, and on the sys.path "
                f"below). Put your project directory on PYTHONPATH (or set PROJECT_DIR), and check the module path "
                f"in SQLALCHEMY_BASE={spec}.")
    return (f"Your models import {missing!r}, which is not installed where pgadmin-py runs. Install your "
            f"project's requirements into this environment (in the container: build a derived image with "
            f"`RUN pip install -r requirements.txt`, or mount a virtualenv and set ALEMBIC_PYTHON).")


def _import_spec(spec: str, project_dir: Path, extra_modules: tuple[str, ...]) -> object | ImportProblem:
    module_name, _, attr_path = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
        for extra in extra_modules:
            importlib.import_module(extra)
    except ModuleNotFoundError as exc:
        missing = exc.name or "?"
        return _problem(spec, f"No module named {missing!r}", _not_found_hint(spec, module_name, missing, project_dir),
                        missing)
    except Exception as exc:  # noqa: BLE001 - any error in the user's module is reported, never fatal
        return _problem(spec, f"Importing {module_name} raised {type(exc).__name__}: {exc}",
                        "Fix the error in your module (see the traceback), or point SQLALCHEMY_BASE elsewhere.")
    obj: object = module
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            names = ", ".join(n for n in dir(module) if not n.startswith("_"))[:300]
            return _problem(spec, f"{module_name} has no attribute {attr_path!r}",
                            f"Name the declarative base, registry or MetaData defined in {module_name}, "
                            f"e.g. {module_name}:Base. It defines: {names}")
        obj = getattr(obj, part)
    return obj


def _import_env_modules(facts: EnvFacts) -> tuple[str, ...]:
    """Import what env.py imports from the project, so sibling model modules register; failures become notes."""
    notes: list[str] = []
    for name in facts.modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a broken sibling module must not hide the others
            notes.append(f"{facts.path.name} imports {name}, which failed: {type(exc).__name__}: {exc}")
    return tuple(notes)


def load_models(spec: str | None, project_dir: Path, extra_modules: tuple[str, ...] = (), *,
                alembic_ini: Path | None = None) -> LoadedModels:
    """Import ``spec`` (and ``extra_modules`` and env.py's model imports) with ``project_dir`` on ``sys.path``.

    Without ``spec``, the ``target_metadata`` of the project's Alembic ``env.py`` names the base.
    """
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    env_py = find_env_py(project_dir, alembic_ini)
    facts = read_env_py(env_py, project_dir) if env_py is not None else None
    notes: list[str] = []
    if spec is None:
        if facts is None or facts.target_spec is None:
            return LoadedModels(None)
        spec = facts.target_spec
        notes.append(f"Found through target_metadata in {facts.path} (SQLALCHEMY_BASE is not set).")
    if facts is not None and facts.modules:
        notes.extend(_import_env_modules(facts))
    obj = _import_spec(spec, project_dir, extra_modules)
    if isinstance(obj, ImportProblem):
        return LoadedModels(spec, problem=obj, extra_modules=extra_modules, notes=tuple(notes))
    resolved = _resolve(obj)
    if resolved is None:
        return LoadedModels(spec, extra_modules=extra_modules, notes=tuple(notes), problem=_problem(
            spec, f"{spec} is a {type(obj).__name__}, not a declarative base, registry or MetaData",
            "Point SQLALCHEMY_BASE at your DeclarativeBase subclass, declarative_base() result, registry, "
            "MetaData, Flask-SQLAlchemy db, or SQLModel."))
    metadata, reg = resolved
    if reg is not None:
        try:  # configure relationships now, at start, not on the first page view (100 models: ~0.5 s)
            reg.configure()
        except Exception as exc:  # noqa: BLE001 - a broken relationship is reported on the models page
            notes.append(f"Relationships could not be configured: {type(exc).__name__}: {exc}")
    mappers = tuple(sorted((m for m in reg.mappers if m.local_table is not None and
                            getattr(m.local_table, "metadata", metadata) is metadata),
                           key=lambda m: m.class_.__name__)) if reg is not None else ()
    return LoadedModels(spec, metadata=metadata, mappers=mappers, extra_modules=extra_modules, notes=tuple(notes))
