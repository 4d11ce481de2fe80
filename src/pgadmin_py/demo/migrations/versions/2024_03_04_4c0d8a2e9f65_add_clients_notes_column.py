"""add clients.notes column

Brokers keep free-text remarks about a client (preferred contact hours, family situation)
in spreadsheets; this gives them a home. Nullable, so it is instant on any table size.

Revision ID: 4c0d8a2e9f65
Revises: 7a6c0f9e3b18
Create Date: 2024-03-04 08:44:26.470193

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "4c0d8a2e9f65"
down_revision: str | Sequence[str] | None = "7a6c0f9e3b18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("clients", sa.Column("notes", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("clients", "notes")
