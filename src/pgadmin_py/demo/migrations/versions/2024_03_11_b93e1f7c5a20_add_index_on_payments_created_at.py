"""add index on payments.created_at

The back office's "payments of the last N days" report scans the whole table; an index on
created_at turns it into a range scan.

Revision ID: b93e1f7c5a20
Revises: 4c0d8a2e9f65
Create Date: 2024-03-11 13:21:40.915377

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b93e1f7c5a20"
down_revision: str | Sequence[str] | None = "4c0d8a2e9f65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_payments_created_at", "payments", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_payments_created_at", table_name="payments")
