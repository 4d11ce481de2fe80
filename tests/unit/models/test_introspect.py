"""Every model shape a real project uses, as the probe reports it: columns, relationships, constraints."""

from __future__ import annotations

from models_helpers import load

from pgadmin_py.orm.introspect import ModelCatalog


def test_typed_columns_as_written(typed20: ModelCatalog) -> None:
    author = typed20.get("Author")
    assert author is not None and author.table == "authors" and author.doc == "Writes books."
    name = author.column("name")
    assert name is not None
    assert (name.type_text, name.annotation, name.nullable, name.unique) == ("String(80)", "Mapped[str]", False, True)
    bio = author.column("bio")
    assert bio is not None and bio.nullable and bio.annotation == "Mapped[str | None]"
    tag_label = typed20.get("Tag").column("label")  # type: ignore[union-attr]
    assert tag_label is not None and tag_label.default == "'new'"


def test_typed_foreign_keys_and_rules(typed20: ModelCatalog) -> None:
    book = typed20.get("Book")
    assert book is not None
    author_id = book.column("author_id")
    assert author_id is not None and author_id.index
    (fk,) = author_id.foreign_keys
    assert (fk.target, fk.on_delete, fk.on_update) == ("authors.id", None, None)
    (draft_fk,) = typed20.get("Draft").column("author_id").foreign_keys  # type: ignore[union-attr]
    assert (draft_fk.on_delete, draft_fk.on_update) == ("RESTRICT", "CASCADE")
    assert book.column("pages").server_default == "1"  # type: ignore[union-attr]


def test_typed_relationship_directions(typed20: ModelCatalog) -> None:
    author = typed20.get("Author")
    book = typed20.get("Book")
    assert author is not None and book is not None
    rels = {r.name: r for r in author.relationships}
    assert rels["books"].direction == "1:N" and rels["books"].cascade_text == "all, delete-orphan"
    assert rels["books"].back_populates == "author" and rels["books"].fk_columns == ("author_id",)
    assert rels["profile"].direction == "1:1"
    assert rels["drafts"].passive_deletes is True
    book_rels = {r.name: r for r in book.relationships}
    assert book_rels["author"].direction == "N:1" and book_rels["author"].target == "Author"
    assert book_rels["tags"].direction == "M:N" and book_rels["tags"].secondary == "book_tags"
    assert book_rels["tags"].lazy == "selectin"


def test_table_constraints_and_plain_tables(typed20: ModelCatalog) -> None:
    book = typed20.get("Book")
    assert book is not None
    kinds = {(k.kind, k.name) for k in book.constraints}
    assert ("unique", "uq_books_author_title") in kinds
    assert ("check", "ck_books_pages_positive") in kinds
    assert ("index", "ix_books_title_lower") in kinds
    check = next(k for k in book.constraints if k.kind == "check")
    assert check.text == "pages > 0"
    assoc = typed20.get("book_tags")
    assert assoc is not None and not assoc.is_class and [c.name for c in assoc.columns] == ["book_id", "tag_id"]
    assert typed20.models[-1].name == "book_tags"  # plain tables after the classes


def test_legacy_declarative_base_and_backref() -> None:
    catalog = load("shop14.models:Base", "legacy14").catalog
    customer, order = catalog.get("Customer"), catalog.get("Order")
    assert customer is not None and order is not None
    assert customer.column("email").type_text == "String(254)"  # type: ignore[union-attr]
    assert customer.column("email").annotation is None  # type: ignore[union-attr]
    assert customer.column("active").server_default == "true"  # type: ignore[union-attr]
    assert customer.column("created").default == "now()"  # type: ignore[union-attr]
    total = order.column("total_amount")
    assert total is not None and total.attribute == "total" and total.type_text == "Numeric(10, 2)"
    (orders,) = customer.relationships
    assert (orders.direction, orders.backref) == ("1:N", "customer")
    (back,) = order.relationships
    assert back.name == "customer" and back.direction == "N:1"
    assert order.column("customer_id").foreign_keys[0].on_delete == "CASCADE"  # type: ignore[union-attr]


def test_flask_sqlalchemy_db() -> None:
    loaded = load("flaskshop.models:db", "flaskapp")
    assert loaded.problem is None
    catalog = loaded.catalog
    assert [m.name for m in catalog.models if m.is_class] == ["Post", "User"]
    user = catalog.get("User")
    assert user is not None and user.table == "fs_users"
    (posts,) = user.relationships
    assert (posts.direction, posts.cascade_text, posts.passive_deletes) == ("1:N", "all, delete-orphan", True)


def test_flask_sqlalchemy_db_model() -> None:
    loaded = load("flaskshop.models:db.Model", "flaskapp")
    assert loaded.problem is None and {m.name for m in loaded.catalog.models if m.is_class} == {"Post", "User"}


def test_sqlmodel() -> None:
    loaded = load("sqlshop.models:SQLModel", "sqlmodelapp")
    assert loaded.problem is None
    catalog = loaded.catalog
    hero, team = catalog.get("Hero"), catalog.get("Team")
    assert hero is not None and team is not None
    assert team.column("name").index and team.column("name").type_text == "AutoString(50)"  # type: ignore[union-attr]
    fk = hero.column("team_id").foreign_keys[0]  # type: ignore[union-attr]
    assert (fk.target, fk.on_delete) == ("sm_teams.id", "SET NULL")
    assert {r.name: r.direction for r in team.relationships} == {"heroes": "1:N"}
    assert {r.name: r.direction for r in hero.relationships} == {"team": "N:1"}


def test_registry_and_metadata_shapes() -> None:
    via_registry = load("shop20.models:Base.registry", "typed20")
    assert via_registry.problem is None and via_registry.model_count == 5
    via_metadata = load("shop20.models:Base.metadata", "typed20")
    assert via_metadata.problem is None and via_metadata.table_count == 6
    wrong = load("shop20.models:Base.__name__", "typed20").problem
    assert wrong is not None and "not a declarative base" in wrong.summary
