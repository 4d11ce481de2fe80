"""The user's model drives the form, and its ``version_id_col`` replaces xmin for optimistic concurrency."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import Engine, text

from pgadmin_py.core.dburl import DatabaseUrl
from pgadmin_py.db.engine import create_db_engine
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.orm.probe import ProbeCommand, launch
from pgadmin_py.records import Records

MODELS = """
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "docs"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}
"""


def probed(project: Path) -> ModelFacts:
    command = ProbeCommand(sys.executable, project, {"PATH": "/usr/bin:/bin"}, base="docsapp:Base")
    return ModelFacts.from_answer(launch(sys.executable, project, command.env, command.argv("models")[1:]), "", 1)


class FormData(dict[str, list[str]]):
    def getlist(self, key: str) -> list[str]:
        return self.get(key, [])


def test_version_id_col_guards_edits_and_is_incremented(demo_db: DatabaseUrl, db: Engine, tmp_path: Path) -> None:
    (tmp_path / "docsapp.py").write_text(MODELS)
    facts = probed(tmp_path)
    assert facts.problem is None and facts.catalog.get("Doc").version_id_col == "version"  # type: ignore[union-attr]
    with db.begin() as conn:
        conn.execute(text("create table docs (id int primary key, title text not null, version int not null);"
                          "insert into docs values (1, 'first', 1)"))
    engine = create_db_engine(demo_db, read_only=False, statement_timeout_ms=5000)
    records = Records(engine, lambda: facts.catalog)
    try:
        editor = records.edit("public", "docs", "1")
        assert editor.version == "1"
        assert editor.form.f_title.flags.required and editor.form.f_version.facts.read_only == "version"
        too_long = records.update("public", "docs", "1", FormData({"f_title": ["x" * 11]}), "1")
        assert too_long.form.f_title.errors == ["Too long: 11 characters, at most 10 allowed."]  # String(10)
        saved = records.update("public", "docs", "1", FormData({"f_title": ["second"]}), "1")
        assert saved.saved_key == ("1",) and not saved.conflict
        stale = records.update("public", "docs", "1", FormData({"f_title": ["third"]}), "1")
        assert stale.conflict and stale.version == "2"
        with db.connect() as conn:
            assert conn.execute(text("select title, version from docs")).one() == ("second", 2)
    finally:
        engine.dispose()
