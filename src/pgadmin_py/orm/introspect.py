"""What the user's models say, as plain frozen records: columns, relationships, constraints.

The records are *facts* reported by the models probe (:mod:`pgadmin_py.orm.model_probe`), which reads the
mappers in the project's own interpreter and prints them as JSON; :meth:`ModelCatalog.from_json` rebuilds
them here. The server never holds a live mapper, so the pages show a model exactly as its author wrote it
(``String(120)``, ``Mapped[int | None]``, ``cascade="all, delete-orphan"``) whatever SQLAlchemy the
project uses, and :mod:`pgadmin_py.orm.cascades` can compare what the ORM will do on delete with what
the database will do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FkRef:
    name: str | None
    target_table: str  # "schema.table" when the target has a schema
    target_column: str
    on_delete: str | None  # as the model declares it; None = database default (NO ACTION)
    on_update: str | None

    @property
    def target(self) -> str:
        return f"{self.target_table}.{self.target_column}"


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str  # the database column
    attribute: str | None  # the Python attribute, when it differs or exists
    type_text: str  # the SQLAlchemy type as written: String(120), Numeric(14, 4), ARRAY(Text)
    annotation: str | None  # the Mapped[...] annotation, for typed models
    primary_key: bool
    nullable: bool
    default: str | None
    server_default: str | None
    unique: bool
    index: bool
    foreign_keys: tuple[FkRef, ...]
    comment: str | None
    pg_type: str = ""  # compiled for PostgreSQL (VARCHAR(120)); the class name when it will not compile
    initial: str | None = None  # a scalar Python default (default=5), pre-filled in a new row's form
    length: int | None = None  # String(120) -> 120
    enum_values: tuple[str, ...] | None = None  # an Enum's values, as the model declares them


@dataclass(frozen=True, slots=True)
class RelationshipInfo:
    name: str
    target: str  # class name
    target_table: str
    direction: str  # "1:N", "N:1", "M:N", "1:1"
    secondary: str | None
    cascade: tuple[str, ...]  # the effective cascade options, sorted
    cascade_text: str  # as SQLAlchemy spells the effective set, e.g. "all, delete-orphan"
    back_populates: str | None
    backref: str | None
    lazy: str
    passive_deletes: bool | str
    viewonly: bool
    fk_columns: tuple[str, ...]  # the foreign-key columns (on the child side) that carry the relationship
    fk_table: str  # the table that holds those columns


@dataclass(frozen=True, slots=True)
class ConstraintInfo:
    kind: str  # "index", "unique index", "unique", "check"
    name: str | None
    columns: tuple[str, ...]
    text: str  # columns or the CHECK expression, as the model writes it


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str  # the class name, or the table name for a plain Table without a class
    module: str | None
    table: str  # as SQLAlchemy keys it: "schema.table" or "table"
    schema: str | None
    table_name: str
    doc: str | None
    columns: tuple[ColumnInfo, ...]
    relationships: tuple[RelationshipInfo, ...]
    constraints: tuple[ConstraintInfo, ...]
    is_class: bool  # False for association tables declared with Table(...)
    version_id_col: str | None = None  # the mapper's version_id_col (optimistic concurrency), by column name

    @property
    def db_schema(self) -> str:
        return self.schema or "public"

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def search_text(self) -> str:
        words = [self.name, self.table, *(c.name for c in self.columns), *(r.name for r in self.relationships)]
        return " ".join(words).lower()


@dataclass(frozen=True, slots=True)
class ModelCatalog:
    models: tuple[ModelInfo, ...]
    configure_error: str | None  # relationships could not be configured (e.g. a class name that was never imported)

    def get(self, name: str) -> ModelInfo | None:
        return next((m for m in self.models if m.name == name), None)

    def by_table(self) -> dict[str, ModelInfo]:
        return {m.table: m for m in self.models}

    def for_table(self, schema: str, name: str) -> ModelInfo | None:
        """The model (a mapped class first) of ``schema.name``; a model without a schema is in ``public``."""
        found = [m for m in self.models if m.table_name == name and m.db_schema == schema]
        return next((m for m in found if m.is_class), found[0] if found else None)

    @property
    def class_count(self) -> int:
        return sum(1 for m in self.models if m.is_class)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelCatalog:
        """Rebuild the facts the probe printed; a malformed document raises ``ValueError``."""
        try:
            return cls(tuple(_model(m) for m in data.get("models") or ()), _opt_str(data.get("configure_error")))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed model facts: {type(exc).__name__}: {exc}") from exc


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _fk(data: Mapping[str, Any]) -> FkRef:
    return FkRef(_opt_str(data.get("name")), str(data["target_table"]), str(data["target_column"]),
                 _opt_str(data.get("on_delete")), _opt_str(data.get("on_update")))


def _column(data: Mapping[str, Any]) -> ColumnInfo:
    enums = data.get("enum_values")
    length = data.get("length")
    return ColumnInfo(
        name=str(data["name"]), attribute=_opt_str(data.get("attribute")), type_text=str(data["type_text"]),
        annotation=_opt_str(data.get("annotation")), primary_key=bool(data["primary_key"]),
        nullable=bool(data["nullable"]), default=_opt_str(data.get("default")),
        server_default=_opt_str(data.get("server_default")), unique=bool(data.get("unique")),
        index=bool(data.get("index")), foreign_keys=tuple(_fk(f) for f in data.get("foreign_keys") or ()),
        comment=_opt_str(data.get("comment")), pg_type=str(data.get("pg_type") or ""),
        initial=_opt_str(data.get("initial")), length=length if isinstance(length, int) else None,
        enum_values=_strs(enums) if enums is not None else None)


def _relationship(data: Mapping[str, Any]) -> RelationshipInfo:
    passive = data.get("passive_deletes")
    return RelationshipInfo(
        name=str(data["name"]), target=str(data["target"]), target_table=str(data["target_table"]),
        direction=str(data["direction"]), secondary=_opt_str(data.get("secondary")),
        cascade=_strs(data.get("cascade")), cascade_text=str(data.get("cascade_text") or "none"),
        back_populates=_opt_str(data.get("back_populates")), backref=_opt_str(data.get("backref")),
        lazy=str(data.get("lazy") or "select"), passive_deletes=passive if isinstance(passive, str) else bool(passive),
        viewonly=bool(data.get("viewonly")), fk_columns=_strs(data.get("fk_columns")),
        fk_table=str(data.get("fk_table") or ""))


def _constraint(data: Mapping[str, Any]) -> ConstraintInfo:
    return ConstraintInfo(str(data["kind"]), _opt_str(data.get("name")), _strs(data.get("columns")),
                          str(data.get("text") or ""))


def _model(data: Mapping[str, Any]) -> ModelInfo:
    return ModelInfo(
        name=str(data["name"]), module=_opt_str(data.get("module")), table=str(data["table"]),
        schema=_opt_str(data.get("schema")), table_name=str(data["table_name"]), doc=_opt_str(data.get("doc")),
        columns=tuple(_column(c) for c in data.get("columns") or ()),
        relationships=tuple(_relationship(r) for r in data.get("relationships") or ()),
        constraints=tuple(_constraint(c) for c in data.get("constraints") or ()), is_class=bool(data["is_class"]),
        version_id_col=_opt_str(data.get("version_id_col")))


