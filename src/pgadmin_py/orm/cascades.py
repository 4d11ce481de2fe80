"""Cascade clarity: what the ORM does when a parent is deleted versus what the database does.

Two systems decide what happens to child rows. The ORM's ``cascade`` / ``passive_deletes`` settle what
``session.delete(parent)`` does; the foreign key's ``ON DELETE`` settles what a plain ``DELETE`` does
(and what happens to rows the session never loaded). When they disagree, the result depends on *how* a
row was deleted: a classic source of production surprises. Each note says so in plain words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pgadmin_py.orm.introspect import ModelCatalog, ModelInfo, RelationshipInfo

DbRules = Mapping[tuple[str, tuple[str, ...]], str]  # (table, fk columns) -> ON DELETE in the live database


@dataclass(frozen=True, slots=True)
class CascadeNote:
    model: str
    relationship: str
    level: str  # "danger", "warning", "info"
    message: str


def _rule(model: ModelInfo | None, rel: RelationshipInfo, db: DbRules | None) -> tuple[str, str]:
    """(ON DELETE rule, where it comes from) for the FK that carries ``rel``."""
    if db is not None and (found := db.get((rel.fk_table, rel.fk_columns))) is not None:
        return found, "in the database"
    if model is not None:
        for col in model.columns:
            if col.name in rel.fk_columns and col.foreign_keys:
                return col.foreign_keys[0].on_delete or "NO ACTION", "in the model"
    return "NO ACTION", "in the model"


def _a(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeio" else f"a {word}"


def _one_to_many(parent: str, rel: RelationshipInfo, child: ModelInfo | None, db: DbRules | None) -> CascadeNote | None:
    rule, where = _rule(child, rel, db)
    fk = f"{rel.fk_table}.{', '.join(rel.fk_columns)}"
    deletes = "delete" in rel.cascade
    passive = rel.passive_deletes is not False
    db_cascades = rule == "CASCADE"
    fk_cols = [child.column(c) for c in rel.fk_columns] if child is not None else []
    not_null = any(c is not None and not c.nullable for c in fk_cols)
    say = f"{parent}.{rel.name}"
    a_parent = _a(parent)
    if rel.viewonly:
        return None
    if deletes and passive and db_cascades:
        return CascadeNote(parent, rel.name, "info",
                           f"ORM and database agree: deleting {a_parent} deletes its {rel.name}; the database does it "
                           f"(ON DELETE CASCADE {where}, passive_deletes=True).")
    if deletes and passive and not db_cascades:
        return CascadeNote(parent, rel.name, "danger",
                           f"{say} says cascade=\"{rel.cascade_text}\" with passive_deletes=True, so the ORM leaves "
                           f"unloaded {rel.target} rows to the database, but {fk} is ON DELETE {rule} {where}. "
                           f"Deleting {a_parent} whose {rel.name} were not loaded fails with a foreign-key error "
                           f"(or leaves them behind). Add ondelete=\"CASCADE\" to the ForeignKey and migrate.")
    if deletes and not passive and not db_cascades:
        return CascadeNote(parent, rel.name, "warning",
                           f"session.delete() on {a_parent} deletes its {rel.name} (cascade=\"{rel.cascade_text}\"), "
                           f"but {fk} is ON DELETE {rule} {where}: a plain SQL DELETE, a bulk delete() or another "
                           f"application deleting {a_parent} fails while {rel.target} rows point at it. Add "
                           f"ondelete=\"CASCADE\" (and passive_deletes=True) so both paths agree.")
    if deletes and not passive and db_cascades:
        return CascadeNote(parent, rel.name, "info",
                           f"ORM and database agree that deleting {a_parent} deletes its {rel.name}; the ORM loads "
                           f"them first to delete one by one. passive_deletes=True would let ON DELETE CASCADE "
                           f"do it in one statement.")
    if not deletes and not passive and db_cascades:
        return CascadeNote(parent, rel.name, "warning",
                           f"{fk} is ON DELETE CASCADE {where}, but {say} has no delete cascade: session.delete() "
                           f"on {a_parent} first sets {fk} to NULL on the loaded {rel.target} rows, so the database "
                           f"cascade never fires" + (" and the UPDATE fails on the NOT NULL column." if not_null else
                                                     ", leaving orphans instead of deleting them.") +
                           " Add cascade=\"all, delete-orphan\" and passive_deletes=True.")
    if not deletes and not passive and not_null and rule != "SET NULL":
        return CascadeNote(parent, rel.name, "warning",
                           f"session.delete() on {a_parent} that still has {rel.name} tries to set {fk} to NULL, "
                           f"which is NOT NULL: the delete fails. Delete the {rel.target} rows first, or add "
                           f"cascade=\"all, delete-orphan\" if they belong to the {parent}.")
    if not deletes and not passive and rule == "SET NULL":
        return CascadeNote(parent, rel.name, "info",
                           f"ORM and database agree: deleting {a_parent} sets {fk} to NULL on its {rel.name}.")
    if not deletes and passive and db_cascades:
        return CascadeNote(parent, rel.name, "info",
                           f"Deleting {a_parent} deletes its {rel.name} in the database (ON DELETE CASCADE "
                           f"{where}); the ORM cascade does not mention delete, so read it as a database rule.")
    return None


def cascade_notes(catalog: ModelCatalog, db: DbRules | None = None) -> list[CascadeNote]:
    """One note per relationship whose delete behaviour deserves a sentence, worst first."""
    by_table = catalog.by_table()
    notes: list[CascadeNote] = []
    for model in catalog.models:
        for rel in model.relationships:
            if rel.direction in ("1:N", "1:1"):  # the foreign key is on the target's table: model is the parent
                note = _one_to_many(model.name, rel, by_table.get(rel.fk_table), db)
                if note is not None:
                    notes.append(note)
            elif rel.direction == "N:1" and "delete" in rel.cascade and not rel.viewonly:
                notes.append(CascadeNote(model.name, rel.name, "danger",
                                         f"{model.name}.{rel.name} is a many-to-one with "
                                         f"cascade=\"{rel.cascade_text}\": "
                                         f"deleting one {model.name} deletes its {rel.target}, and with it every "
                                         f"other row that points at that {rel.target}. This is rarely intended."))
    order = {"danger": 0, "warning": 1, "info": 2}
    notes.sort(key=lambda n: (order[n.level], n.model, n.relationship))
    return notes
