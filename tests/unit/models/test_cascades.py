"""Cascade clarity: ORM cascade versus the foreign key's ON DELETE, in words."""

from __future__ import annotations

from models_helpers import cascade_notes, load

from pgadmin_py.orm.introspect import ModelCatalog


def _note(catalog: ModelCatalog, model: str, rel: str, db: dict[tuple[str, tuple[str, ...]], str] | None = None):  # type: ignore[no-untyped-def]
    return next((n for n in cascade_notes(catalog, db) if (n.model, n.relationship) == (model, rel)), None)


def test_orm_deletes_children_but_fk_does_not_cascade(typed20: ModelCatalog) -> None:
    note = _note(typed20, "Author", "books")
    assert note is not None and note.level == "warning"
    assert "plain SQL DELETE" in note.message and "ON DELETE NO ACTION" in note.message


def test_passive_deletes_without_db_cascade_is_danger(typed20: ModelCatalog) -> None:
    note = _note(typed20, "Author", "drafts")
    assert note is not None and note.level == "danger" and "RESTRICT" in note.message


def test_agreement_is_said_too(typed20: ModelCatalog) -> None:
    note = _note(typed20, "Author", "profile")
    assert note is not None and note.level == "info" and note.message.startswith("ORM and database agree")


def test_db_cascade_but_orm_nulls_first() -> None:
    catalog = load("shop14.models:Base", "legacy14").catalog
    note = _note(catalog, "Customer", "orders")
    assert note is not None and note.level == "warning"
    assert "ON DELETE CASCADE" in note.message and "NOT NULL" in note.message


def test_live_database_rule_wins_over_the_model(typed20: ModelCatalog) -> None:
    note = _note(typed20, "Author", "books", {("books", ("author_id",)): "CASCADE"})
    assert note is not None and note.level == "info"  # the database cascades after all: only a hint remains
    agreed = _note(typed20, "Author", "drafts", {("drafts", ("author_id",)): "CASCADE"})
    assert agreed is not None and agreed.level == "info" and "in the database" in agreed.message


def test_worst_first(typed20: ModelCatalog) -> None:
    levels = [n.level for n in cascade_notes(typed20)]
    assert levels == sorted(levels, key=["danger", "warning", "info"].index)
