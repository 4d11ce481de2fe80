"""add tags and client_tags

Brokers asked for free-form labels on clients (vip, dormant, ...). Developed on a feature
branch in parallel with payments, hence the merge revision that follows.

Revision ID: 5d8f3b6e2c47
Revises: c27a9e5b1f84
Create Date: 2024-02-19 14:30:55.127644

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "5d8f3b6e2c47"
down_revision: str | Sequence[str] | None = "c27a9e5b1f84"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("color", sa.String(length=7), server_default=sa.text("'#888888'"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tags"),
        sa.UniqueConstraint("name", name="uq_tags_name"),
        sa.CheckConstraint("color ~ '^#[0-9a-f]{6}$'", name="ck_tags_color_is_hex"),
    )
    op.create_table(
        "client_tags",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "tag_id", name="pk_client_tags"),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name="fk_client_tags_client_id_clients", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name="fk_client_tags_tag_id_tags", ondelete="CASCADE"),
    )
    op.create_index("ix_client_tags_tag_id", "client_tags", ["tag_id"])


def downgrade() -> None:
    op.drop_index("ix_client_tags_tag_id", table_name="client_tags")
    op.drop_table("client_tags")
    op.drop_table("tags")
