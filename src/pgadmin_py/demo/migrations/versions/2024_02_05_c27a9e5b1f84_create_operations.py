"""create operations

Trades booked on accounts. The (account_id, executed_at) index serves the account statement,
which lists an account's trades in time order; it also covers lookups by account alone.

Revision ID: c27a9e5b1f84
Revises: 8b4e6d2f0a31
Create Date: 2024-02-05 09:17:03.551890

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c27a9e5b1f84"
down_revision: str | Sequence[str] | None = "8b4e6d2f0a31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.Enum("BUY", "SELL", name="operation_side"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("fee", sa.Numeric(precision=14, scale=2), server_default=sa.text("0"), nullable=False),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_operations_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["instrument_id"], ["instruments.id"], name="fk_operations_instrument_id_instruments"),
        sa.CheckConstraint("quantity > 0", name="ck_operations_quantity_positive"),
        sa.CheckConstraint("price > 0", name="ck_operations_price_positive"),
        sa.CheckConstraint("fee >= 0", name="ck_operations_fee_not_negative"),
    )
    op.create_index("ix_operations_account_id_executed_at", "operations", ["account_id", "executed_at"])
    op.create_index("ix_operations_instrument_id", "operations", ["instrument_id"])


def downgrade() -> None:
    op.drop_index("ix_operations_instrument_id", table_name="operations")
    op.drop_index("ix_operations_account_id_executed_at", table_name="operations")
    op.drop_table("operations")
    op.execute("DROP TYPE operation_side")
