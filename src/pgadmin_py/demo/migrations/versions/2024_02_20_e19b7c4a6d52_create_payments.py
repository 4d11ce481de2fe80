"""create payments

Deposits and withdrawals on accounts. ``reference`` is the idempotency key shared with the
payment provider, hence unique. Branches off the same parent as the tags work.

Revision ID: e19b7c4a6d52
Revises: c27a9e5b1f84
Create Date: 2024-02-20 11:08:31.664027

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e19b7c4a6d52"
down_revision: str | Sequence[str] | None = "c27a9e5b1f84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("direction", sa.Enum("deposit", "withdrawal", name="payment_direction"), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "completed", "failed", "refunded", name="payment_status"),
            server_default=sa.text("'pending'"),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.UniqueConstraint("reference", name="uq_payments_reference"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_payments_account_id_accounts", ondelete="CASCADE"
        ),
        sa.CheckConstraint("amount > 0", name="ck_payments_amount_positive"),
    )
    op.create_index("ix_payments_account_id", "payments", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_payments_account_id", table_name="payments")
    op.drop_table("payments")
    op.execute("DROP TYPE payment_status")
    op.execute("DROP TYPE payment_direction")
