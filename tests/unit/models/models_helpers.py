"""Helpers shared by the models unit tests (a uniquely named module: `conftest` is ambiguous across dirs).

Models are read the way the app reads them: by the probe, in a child interpreter, in the project directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pgadmin_py.orm.cascades import cascade_notes
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.orm.probe import ProbeCommand, launch

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "models"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user who set nothing (no PYTHONPATH, no DATABASE_URL)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def probe(spec: str | None, project: str | Path, *, ini: str | None = None, models: tuple[str, ...] = (),
          python: str = sys.executable, env: dict[str, str] | None = None, flask: bool = False) -> ModelFacts:
    cwd = project if isinstance(project, Path) else FIXTURES / project
    command = ProbeCommand(python, cwd, env or clean_env(), ini=cwd / ini if ini else None, base=spec,
                           models=models, flask=flask)
    answer = launch(command.python, command.cwd, command.env, command.argv("models")[1:], timeout=120)
    return ModelFacts.from_answer(answer, python, 1)


def load(spec: str | None, project: str | Path, **kw: object) -> ModelFacts:
    return probe(spec, project, **kw)  # type: ignore[arg-type]


__all__ = ["FIXTURES", "cascade_notes", "clean_env", "load", "probe"]
