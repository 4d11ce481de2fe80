"""Pure parts of issue 13 §4: the schema diff in words, the backup scope, the targeted restore's list."""

from __future__ import annotations

import pytest

from pgadmin_py.catalog.schema_snapshot import ColumnShape, SchemaSnapshot, TableShape
from pgadmin_py.migrations.backup_scope import Coverage, scope_of
from pgadmin_py.migrations.review.model import Review, StatementReview, TableLock
from pgadmin_py.migrations.schema_diff import changes, left_over, unified
from pgadmin_py.migrations.targeted_backup import pattern, wanted


def snapshot(columns: dict[str, ColumnShape], indexes: dict[str, str] | None = None,
             enums: dict[str, tuple[str, ...]] | None = None) -> SchemaSnapshot:
    return SchemaSnapshot({"public.users": TableShape("table", columns, {"users_pkey": "PRIMARY KEY (id)"},
                                                      indexes or {})}, {}, enums or {}, {})


def test_changes_in_words() -> None:
    before = snapshot({"id": ColumnShape("integer", False), "age": ColumnShape("integer", True)},
                      {"ix_x": "CREATE INDEX ix_x ON public.users USING btree (age)"}, {"public.mood": ("a",)})
    after = snapshot({"id": ColumnShape("integer", False), "age": ColumnShape("bigint", False, "0"),
                      "note": ColumnShape("text", True)}, {}, {"public.mood": ("a", "b")})
    assert changes(before, after) == [
        "added column users.note text NULL", "type of users.age: integer → bigint", "users.age: NULL → NOT NULL",
        "default of users.age: none → 0", "dropped index ix_x on users", "values of enum mood: a → a, b"]
    assert left_over(changes(after, before))[:2] == ["missing: column users.note",
                                                     "type of users.age: bigint → integer"]
    assert left_over(["added index ix_x on users: CREATE ..."]) == ["left behind: index ix_x on users: CREATE ..."]
    assert changes(after, after) == [] and unified(after, after, "a", "b") == ""
    assert "+  column note text NULL\n" in unified(before, after, "before", "after")


def test_a_snapshot_round_trips_through_json() -> None:
    snap = snapshot({"id": ColumnShape("integer", False, None, "d")}, {"ix": "CREATE INDEX ..."}, {"s.e": ("x",)})
    assert SchemaSnapshot.from_json(snap.to_json()) == snap
    assert SchemaSnapshot.from_json(snap.to_json()).text() == snap.text()


def stmt(index: int, kind: str, sql: str, *tables: str) -> StatementReview:
    locks = tuple(TableLock(i, t, "ACCESS EXCLUSIVE", ("public", t)) for i, t in enumerate(tables))
    return StatementReview(index, sql, "", "r1", False, kind, locks=locks)


def test_the_scope_is_targeted_only_when_every_statement_is_confined_to_its_tables() -> None:
    review = Review((stmt(0, "AlterTableStmt:OBJECT_TABLE", "alter table orders ...", "orders"),
                     stmt(1, "UpdateStmt", "update customers ...", "customers"),
                     stmt(2, "InsertStmt", "insert into orders ...", "orders")), 5000)
    assert scope_of(review, True).tables == (("public", "orders"), ("public", "customers"))
    risky = Review((*review.statements, stmt(3, "DoStmt", "DO $$ begin perform f(); end $$")), 5000)
    scope = scope_of(risky, True)
    assert not scope.targeted and scope.reason == "statement 4 (DO $$ begin perform f(); end $$) can change " \
                                                  "what no statement names"
    assert scope_of(Review((stmt(0, "DropStmt:OBJECT_TYPE", "drop type mood"),), 5000), True).reason
    assert scope_of(None, False).reason == "the SQL could not be rendered offline, so nobody knows which tables " \
                                           "it touches"
    assert scope_of(Review((), 0, problems=("unreachable",)), True).reason


COVERAGE = Coverage((("public", "orders"),), (("public", "big_orders"),), (("public", "ix_orders_amount"),),
                    (("public", "orders_id_seq"),))


@pytest.mark.parametrize(("entry", "restored"), [
    ("TABLE public orders postgres", True),
    ("TABLE DATA public orders postgres", True),
    ("TABLE DATA public audit postgres", False),
    ("TABLE public audit postgres", False),
    ("CONSTRAINT public orders orders_pkey postgres", True),
    ("FK CONSTRAINT public orders orders_customer_id_fkey postgres", True),
    ("FK CONSTRAINT public lines lines_order_id_fkey postgres", False),
    ("DEFAULT public orders id postgres", True),
    ("INDEX public ix_orders_amount postgres", True),
    ("INDEX public ix_audit postgres", False),
    ("SEQUENCE public orders_id_seq postgres", True),
    ("SEQUENCE OWNED BY public orders_id_seq postgres", True),
    ("SEQUENCE SET public orders_id_seq postgres", True),
    ("SEQUENCE SET public audit_id_seq postgres", False),
    ("VIEW public big_orders postgres", True),
    ("COMMENT public TABLE orders postgres", True),
    ("COMMENT public COLUMN orders.note postgres", True),
    ("COMMENT public TABLE audit postgres", False),
    ("SCHEMA - public postgres", False),
    ("TYPE public mood postgres", False),
])
def test_the_restore_list_holds_the_covered_tables_and_what_hangs_on_them(entry: str, restored: bool) -> None:
    assert wanted(entry, COVERAGE) is restored


def test_a_pattern_matches_exactly_one_table() -> None:
    assert pattern("public", 'we"ird*') == '"public"."we""ird*"'
