"""merge tags and payments heads

Tags and payments were written in parallel on top of c27a9e5b1f84. They touch different
tables, so joining the two heads needs no schema change, only a common descendant that
later revisions can build on.

Revision ID: 7a6c0f9e3b18
Revises: 5d8f3b6e2c47, e19b7c4a6d52
Create Date: 2024-02-26 17:52:09.083412

"""

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "7a6c0f9e3b18"
down_revision: str | Sequence[str] | None = ("5d8f3b6e2c47", "e19b7c4a6d52")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
