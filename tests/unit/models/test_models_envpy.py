"""The shapes of ``target_metadata`` an env.py uses, read without running it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgadmin_py.orm.envpy import find_env_py, read_env_py


@pytest.mark.parametrize(("source", "spec"), [
    ("from app.models import Base\ntarget_metadata = Base.metadata", "app.models:Base"),
    ("from app import models\ntarget_metadata = models.Base.metadata", "app.models:Base"),
    ("import app.models as m\ntarget_metadata = m.Base.metadata", "app.models:Base"),
    ("from app.extensions import db\ntarget_metadata = db.metadata", "app.extensions:db"),
    ("from sqlmodel import SQLModel\nimport app.models\ntarget_metadata = SQLModel.metadata", "sqlmodel:SQLModel"),
    ("from app.models import Base, Other\ntarget_metadata = [Base.metadata, Other.metadata]", "app.models:Base"),
    ("from app.models import Base\ntarget_metadata = None", None),
    ("def run():\n    from app.models import Base\n    global target_metadata\ntarget_metadata = Base.metadata",
     "app.models:Base"),
])
def test_target_metadata_shapes(tmp_path: Path, source: str, spec: str | None) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text("")
    env = tmp_path / "migrations" / "env.py"
    env.parent.mkdir()
    env.write_text("from alembic import context\nimport logging\n" + source)
    facts = read_env_py(env, tmp_path)
    assert facts is not None and facts.target_spec == spec
    assert "alembic" not in facts.modules and "logging" not in facts.modules
    assert any(m.startswith("app") for m in facts.modules)


def test_find_env_py_through_ini(tmp_path: Path) -> None:
    (tmp_path / "db" / "alembic").mkdir(parents=True)
    (tmp_path / "db" / "alembic" / "env.py").write_text("target_metadata = None\n")
    ini = tmp_path / "db" / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = %(here)s/alembic\n")
    assert find_env_py(tmp_path) == tmp_path / "db" / "alembic" / "env.py"  # a standard ini location
    assert find_env_py(tmp_path, ini) == tmp_path / "db" / "alembic" / "env.py"
    assert find_env_py(tmp_path / "db" / "alembic") is None


def test_unparseable_env_py(tmp_path: Path) -> None:
    env = tmp_path / "env.py"
    env.write_text("def broken(:\n")
    assert read_env_py(env, tmp_path) is None
