"""The models are read again when the project's Python files change: no restart needed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pgadmin_py.core.dburl import DatabaseUrl
from support.web import demo_env, make_client

MODELS = '''
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Widget(Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(20))
'''

GIZMO = '''

class Gizmo(Base):
    __tablename__ = "gizmos"
    id: Mapped[int] = mapped_column(primary_key=True)
'''


def test_a_new_model_appears_after_its_file_is_saved(demo_db: DatabaseUrl, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "shapes.py").write_text(MODELS)
    env = demo_env(demo_db, tmp_path, SQLALCHEMY_BASE="shapes:Base", PROJECT_DIR=str(project))
    env.pop("ALEMBIC_CONFIG")
    with make_client(env) as client:
        first = client.get("/models").text
        assert 'data-model="Widget"' in first and 'data-model="Gizmo"' not in first
        (project / "shapes.py").write_text(MODELS + GIZMO)
        later = time.time() + 5
        os.utime(project / "shapes.py", (later, later))
        deadline = time.monotonic() + 60
        while True:
            page = client.get("/models").text
            if 'data-model="Gizmo"' in page or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert 'data-model="Gizmo"' in page and 'data-model="Widget"' in page
