from __future__ import annotations

from pgadmin_py.orm.touches import tables_touched

SCRIPT = '''
def upgrade():
    op.create_table("clients", sa.Column("id", sa.Integer()))
    op.add_column("clients", sa.Column("notes", sa.Text(), nullable=True))
    op.create_index(op.f("ix_payments_created_at"), "payments", ["created_at"])
    op.drop_index("ix_old", table_name="accounts")
    with op.batch_alter_table("tags") as batch_op:
        batch_op.alter_column("name", nullable=False)
    op.execute("UPDATE brokers SET x = 1")
'''


def test_tables_touched() -> None:
    found = tables_touched(SCRIPT)
    assert found["clients"] == ("create_table", "add_column notes")
    assert found["payments"] == ("create_index",)
    assert found["accounts"] == ("drop_index",)
    assert "batch_alter_table" in found["tags"]
    assert "brokers" not in found  # raw SQL is not parsed
