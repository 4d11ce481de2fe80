"""create accounts and instruments

Clients get accounts (one per currency) and the catalogue of tradable instruments appears,
both prerequisites for booking trades.

Revision ID: 8b4e6d2f0a31
Revises: 3f1c2a9b7d10
Create Date: 2024-01-22 16:05:48.902115

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "8b4e6d2f0a31"
down_revision: str | Sequence[str] | None = "3f1c2a9b7d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("account_number", name="uq_accounts_account_number"),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name="fk_accounts_client_id_clients", ondelete="CASCADE"
        ),
        sa.CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="ck_accounts_closed_after_opened"),
        sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_accounts_currency_is_iso"),
    )
    op.create_index("ix_accounts_client_id", "accounts", ["client_id"])

    op.create_table(
        "instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticker", sa.String(length=12), nullable=False),
        sa.Column("exchange", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum("stock", "bond", "etf", name="instrument_kind"), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lot_size", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("attributes", postgresql.JSONB(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_instruments"),
        sa.UniqueConstraint("ticker", "exchange", name="uq_instruments_ticker_exchange"),
        sa.CheckConstraint("lot_size > 0", name="ck_instruments_lot_size_positive"),
    )


def downgrade() -> None:
    op.drop_table("instruments")
    # drop_table leaves the enum type behind; it was created here, so it goes too.
    op.execute("DROP TYPE instrument_kind")
    op.drop_index("ix_accounts_client_id", table_name="accounts")
    op.drop_table("accounts")
