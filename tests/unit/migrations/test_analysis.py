"""Destructive operations and irreversible downgrades, from source and from offline SQL."""

from __future__ import annotations

import pytest

from pgadmin_py.migrations.analysis import analyze_source, flag_sql

SCRIPT = '''
def upgrade():
    op.drop_table("old")
    op.drop_column("clients", "phone")
    op.alter_column("clients", "name", type_=sa.String(20))
    op.alter_column("clients", "name", nullable=False)
    op.add_column("clients", sa.Column("x", sa.Text))
    op.execute("DELETE FROM sessions WHERE expired")
    op.execute("create index ix on t (c)")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("iban")


def downgrade():
    op.create_table("old")
'''


def test_source_flags_each_destructive_call() -> None:
    result = analyze_source(SCRIPT)
    texts = [f.text for f in result.for_direction("upgrade")]
    assert texts == ["drops table old", "drops column clients.phone", "changes the type of column clients.name",
                     "runs SQL that modifies data: DELETE FROM", "drops column iban"]
    assert not result.irreversible
    assert result.flagged_lines == [3, 4, 5, 8, 11]


@pytest.mark.parametrize(("downgrade", "irreversible"), [
    ("    pass", True),
    ('    """Cannot be undone."""\n    pass', True),
    ("    ...", True),
    ("    raise NotImplementedError('one way')", True),
    ("    op.drop_table('x')", False),
])
def test_irreversible_downgrades(downgrade: str, irreversible: bool) -> None:
    source = f"def upgrade():\n    op.create_table('x')\n\n\ndef downgrade():\n{downgrade}\n"
    assert analyze_source(source).irreversible is irreversible


def test_missing_downgrade_is_irreversible() -> None:
    assert analyze_source("def upgrade():\n    pass\n").irreversible_reason == "the script has no downgrade() function"


def test_sql_flags() -> None:
    sql = """
    ALTER TABLE clients DROP COLUMN notes;
    DROP TABLE IF EXISTS legacy;
    ALTER TABLE clients ALTER COLUMN name TYPE VARCHAR(20);
    DELETE FROM sessions WHERE true;
    TRUNCATE audit_log;
    UPDATE alembic_version SET version_num='b' WHERE alembic_version.version_num = 'a';
    UPDATE accounts SET balance = 0;
    CREATE INDEX ix_a ON a (b);
    """
    assert flag_sql(sql) == ["drops column notes", "drops table legacy", "changes the type of column name",
                             "deletes rows from sessions", "truncates audit_log", "updates rows of accounts"]
    assert flag_sql("CREATE TABLE x (id int); UPDATE alembic_version SET version_num='x'") == []
