"""env.py facts read from source: the version table's name and schema, async or not."""

from __future__ import annotations

from pathlib import Path

from pgadmin_py.migrations.envpy import EnvFacts, read_env

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alembic"


def test_moved_version_table() -> None:
    facts = read_env(FIXTURES / "schemaver" / "migrations")
    assert (facts.version_table, facts.version_table_schema) == ("schema_history", "meta")
    assert facts.qualified == '"meta"."schema_history"'


def test_defaults_and_async() -> None:
    assert read_env(FIXTURES / "linear" / "migrations") == EnvFacts()
    assert read_env(FIXTURES / "asyncenv" / "migrations").is_async
    assert read_env(FIXTURES / "does-not-exist") == EnvFacts()
    assert EnvFacts('we"ird').qualified == '"we""ird"'
