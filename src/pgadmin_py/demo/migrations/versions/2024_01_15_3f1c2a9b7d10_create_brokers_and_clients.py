"""create brokers and clients

The first slice of the brokerage: the sales desk (brokers, with their reporting line) and
the clients they look after.

Revision ID: 3f1c2a9b7d10
Revises:
Create Date: 2024-01-15 10:42:17.318204

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "3f1c2a9b7d10"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # gen_random_uuid() is built in from PostgreSQL 13; on 12 it comes from pgcrypto. A DO block (not
    # op.get_bind()) so the offline SQL preview shows it too.
    op.execute(
        "DO $$ BEGIN IF current_setting('server_version_num')::int < 130000 THEN "
        "CREATE EXTENSION IF NOT EXISTS pgcrypto; END IF; END $$"
    )
    op.create_table(
        "brokers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hired_on", sa.Date(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_brokers"),
        sa.UniqueConstraint("email", name="uq_brokers_email"),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["brokers.id"], name="fk_brokers_manager_id_brokers", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_brokers_manager_id", "brokers", ["manager_id"])

    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone_numbers", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("is_verified", sa.Boolean(), nullable=True),
        sa.Column("preferences", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("broker_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
        sa.UniqueConstraint("public_id", name="uq_clients_public_id"),
        sa.UniqueConstraint("email", name="uq_clients_email"),
        sa.ForeignKeyConstraint(
            ["broker_id"], ["brokers.id"], name="fk_clients_broker_id_brokers", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_clients_broker_id", "clients", ["broker_id"])


def downgrade() -> None:
    op.drop_index("ix_clients_broker_id", table_name="clients")
    op.drop_table("clients")
    op.drop_index("ix_brokers_manager_id", table_name="brokers")
    op.drop_table("brokers")
