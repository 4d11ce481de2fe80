"""Which revision an unversioned schema matches: the drift facts against what each revision's upgrade() does."""

from __future__ import annotations

from pgadmin_py.migrations.drift import matching_revision
from pgadmin_py.orm.probe import DriftItem

R1 = '''
def upgrade():
    op.create_table("books", sa.Column("id", sa.Integer()))
    op.create_table("authors", sa.Column("id", sa.Integer()))

def downgrade():
    op.drop_table("authors")
'''
R2 = '''
def upgrade():
    op.create_index(op.f("ix_books_title"), "books", ["title"])
    op.add_column("authors", sa.Column("bio", sa.Text()))

def downgrade():
    op.drop_column("authors", "bio")
'''
CHAIN = [("r2", R2), ("r1", R1)]


def item(kind: str, table: str, column: str | None = None) -> DriftItem:
    return DriftItem(kind, table, column, f"{kind} {table}.{column}")


def test_no_difference_is_the_head() -> None:
    assert matching_revision([], CHAIN) == "r2"


def test_what_the_later_revisions_add_is_missing() -> None:
    lacking = [item("missing_index", "books"), item("missing_column", "authors", "bio")]
    assert matching_revision(lacking, CHAIN) == "r1"


def test_nothing_of_the_project_is_there_plus_unrelated_tables() -> None:
    lacking = [item("missing_table", "books"), item("missing_table", "authors"), item("missing_index", "books"),
               item("extra_table", "legacy_notes")]  # a missing table is reported whole (bio was added later)
    assert matching_revision(lacking, CHAIN) == "base"


def test_a_difference_no_revision_explains() -> None:
    assert matching_revision([item("missing_column", "authors", "bio")], CHAIN) is None
    assert matching_revision([item("type", "books", "title")], CHAIN) is None
