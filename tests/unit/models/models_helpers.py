"""Helpers shared by the models unit tests (a uniquely named module: `conftest` is ambiguous across dirs)."""

from __future__ import annotations

from pathlib import Path

from pgadmin_py.orm.cascades import cascade_notes
from pgadmin_py.orm.loader import LoadedModels, load_models

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def load(spec: str | None, project: str) -> LoadedModels:
    return load_models(spec, FIXTURES / project)


__all__ = ["FIXTURES", "cascade_notes", "load"]
