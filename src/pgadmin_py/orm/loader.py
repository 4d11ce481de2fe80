"""Import the user's declarative base from ``SQLALCHEMY_BASE`` (``module:attribute``).

Real projects hand us many shapes: a 2.0 ``DeclarativeBase`` subclass, a 1.4 ``declarative_base()``
result, a ``registry``, a bare ``MetaData``, Flask-SQLAlchemy's ``db`` or ``db.Model``, SQLModel's
``SQLModel``. All of them lead to a ``MetaData`` and (except a bare MetaData) a ``registry`` whose
mappers are the models. An import that fails is not fatal: the problem is kept, with a hint, and
the rest of the app works from database reflection alone.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.orm import Mapper, registry


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
    reg = getattr(obj, "registry", None)
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


def load_models(spec: str, project_dir: Path, extra_modules: tuple[str, ...] = ()) -> LoadedModels:
    """Import ``spec`` (and ``extra_modules``) with ``project_dir`` on ``sys.path``."""
    module_name, _, attr_path = spec.partition(":")
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    try:
        module = importlib.import_module(module_name)
        for extra in extra_modules:
            importlib.import_module(extra)
    except ModuleNotFoundError as exc:
        missing = exc.name or "?"
        if module_name == missing or module_name.startswith(missing + "."):
            hint = (f"Python cannot find {missing!r}. Put your project directory on PYTHONPATH (or set "
                    f"PROJECT_DIR), and check the module path in SQLALCHEMY_BASE={spec}.")
        else:
            hint = (f"Your models import {missing!r}, which is not installed where pgadmin-py runs. Install "
                    f"your project's requirements into this environment (in the container: a derived image, "
                    f"or a requirements file; see the README).")
        return LoadedModels(spec, problem=_problem(spec, f"No module named {missing!r}", hint, missing))
    except Exception as exc:  # noqa: BLE001 - any error in the user's module is reported, never fatal
        return LoadedModels(spec, problem=_problem(
            spec, f"Importing {module_name} raised {type(exc).__name__}: {exc}",
            "Fix the error in your module (see the traceback), or point SQLALCHEMY_BASE elsewhere."))
    obj: object = module
    for part in attr_path.split("."):
        if not hasattr(obj, part):
            return LoadedModels(spec, problem=_problem(
                spec, f"{module_name} has no attribute {attr_path!r}",
                f"Name the declarative base, registry or MetaData defined in {module_name}, e.g. {module_name}:Base"))
        obj = getattr(obj, part)
    resolved = _resolve(obj)
    if resolved is None:
        return LoadedModels(spec, problem=_problem(
            spec, f"{spec} is a {type(obj).__name__}, not a declarative base, registry or MetaData",
            "Point SQLALCHEMY_BASE at your DeclarativeBase subclass, declarative_base() result, registry, "
            "MetaData, Flask-SQLAlchemy db, or SQLModel."))
    metadata, reg = resolved
    mappers = tuple(sorted(reg.mappers, key=lambda m: m.class_.__name__)) if reg is not None else ()
    return LoadedModels(spec, metadata=metadata, mappers=mappers, extra_modules=extra_modules)
