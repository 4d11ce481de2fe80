"""What the user's models say, as plain frozen records: columns, relationships, constraints.

Pure: no database access. Everything is read from the mappers and tables SQLAlchemy already built,
so the pages can show a model exactly as its author wrote it (``String(120)``, ``Mapped[int | None]``,
``cascade="all, delete-orphan"``), and :mod:`pgadmin_py.orm.cascades` can compare what the ORM will do
on delete with what the database will do.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CheckConstraint, Column, DefaultClause, Table, UniqueConstraint
from sqlalchemy.orm import Mapper, RelationshipDirection, RelationshipProperty
from sqlalchemy.orm import registry as Registry

from pgadmin_py.orm.loader import LoadedModels


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


def type_text(type_: Any) -> str:
    """A type as its author would write it: ``String(120)``, not ``String(length=120)``."""
    try:
        text = repr(type_)
    except Exception:  # noqa: BLE001 - an exotic user type still gets its class name
        text = type(type_).__name__
    text = text.replace("length=", "").replace("precision=", "").replace("scale=", "")
    if text.endswith("()"):
        text = text[:-2]
    return text if len(text) <= 80 else text[:77] + "..."


def _clause_text(clause: Any) -> str:
    try:
        return str(clause.compile(compile_kwargs={"literal_binds": True}))
    except Exception:  # noqa: BLE001 - fall back to the generic string form
        return str(clause)


def _default_text(default: Any) -> str | None:
    if default is None:
        return None
    arg = getattr(default, "arg", default)
    if callable(arg):
        fn = getattr(arg, "__wrapped__", arg)
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or "a function"
        if name == "<lambda>":
            return "a Python lambda"
        module = getattr(fn, "__module__", "") or ""
        return f"{module.split('.')[-1]}.{name}()" if module and module != "builtins" else f"{name}()"
    if isinstance(arg, str) and isinstance(default, DefaultClause):
        return arg  # server_default="true": SQL text, shown as written
    if hasattr(arg, "text") and isinstance(arg.text, str):
        return str(arg.text)
    if hasattr(arg, "compile"):
        return _clause_text(arg)
    return repr(arg)


def _name(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return None if text in ("_NONE_NAME", "None", "") else text


def _annotations(cls: type) -> dict[str, str]:
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, ann in getattr(klass, "__annotations__", {}).items():
            found[attr] = ann if isinstance(ann, str) else inspect.formatannotation(ann)
    return found


def _fk_refs(col: Column[Any]) -> tuple[FkRef, ...]:
    refs = []
    for fk in sorted(col.foreign_keys, key=lambda f: f.target_fullname):
        table, _, column = fk.target_fullname.rpartition(".")
        refs.append(FkRef(_name(fk.constraint.name if fk.constraint is not None else fk.name), table, column,
                          fk.ondelete.upper() if fk.ondelete else None, fk.onupdate.upper() if fk.onupdate else None))
    return tuple(refs)


def _columns(table: Table, attrs: Mapping[str, str], annotations: Mapping[str, str]) -> tuple[ColumnInfo, ...]:
    single_unique = {next(iter(c.columns)).name for c in table.constraints
                     if isinstance(c, UniqueConstraint) and len(c.columns) == 1}
    single_index = {next(iter(i.columns)).name for i in table.indexes if len(i.columns) == 1}
    single_unique |= {next(iter(i.columns)).name for i in table.indexes if len(i.columns) == 1 and i.unique}
    out = []
    for col in table.columns:
        attr = attrs.get(col.name)
        out.append(ColumnInfo(
            name=col.name, attribute=attr, type_text=type_text(col.type),
            annotation=annotations.get(attr) if attr else None,
            primary_key=col.primary_key, nullable=bool(col.nullable),
            default=_default_text(col.default), server_default=_default_text(col.server_default),
            unique=bool(col.unique) or col.name in single_unique, index=bool(col.index) or col.name in single_index,
            foreign_keys=_fk_refs(col), comment=col.comment))
    return tuple(out)


def _constraints(table: Table) -> tuple[ConstraintInfo, ...]:
    out: list[ConstraintInfo] = []
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        cols = tuple(c.name for c in index.columns)
        exprs = ", ".join(cols) or ", ".join(_clause_text(e) for e in index.expressions)
        out.append(ConstraintInfo("unique index" if index.unique else "index", _name(index.name), cols, exprs))
    for con in sorted(table.constraints, key=lambda c: str(c.name)):
        if isinstance(con, UniqueConstraint):
            cols = tuple(c.name for c in con.columns)
            out.append(ConstraintInfo("unique", _name(con.name), cols, ", ".join(cols)))
        elif isinstance(con, CheckConstraint):
            out.append(ConstraintInfo("check", _name(con.name), (), _clause_text(con.sqltext)))
    return tuple(out)


_DIRECTIONS = {RelationshipDirection.ONETOMANY: "1:N", RelationshipDirection.MANYTOONE: "N:1",
               RelationshipDirection.MANYTOMANY: "M:N"}
_ALL = {"save-update", "merge", "refresh-expire", "expunge", "delete"}


def _cascade_text(options: set[str]) -> str:
    parts = ["all"] if options >= _ALL else sorted(options & _ALL)
    parts += sorted(options - _ALL)
    return ", ".join(parts) or "none"


def _relationship(prop: RelationshipProperty[Any]) -> RelationshipInfo:
    direction = _DIRECTIONS.get(prop.direction, str(prop.direction))
    if direction == "1:N" and not prop.uselist:
        direction = "1:1"  # a one-to-many with uselist=False: the child row holds the foreign key
    secondary = prop.secondary
    if prop.direction is RelationshipDirection.MANYTOMANY or secondary is not None:
        fk_cols: tuple[str, ...] = ()
        fk_table = str(getattr(secondary, "fullname", secondary)) if secondary is not None else ""
    elif prop.direction is RelationshipDirection.MANYTOONE:
        fk_cols = tuple(c.name for c in prop.local_columns)
        fk_table = str(prop.parent.local_table.fullname)  # type: ignore[attr-defined]
    else:
        fk_cols = tuple(r.name for _, r in prop.local_remote_pairs or ())
        fk_table = str(prop.mapper.local_table.fullname)  # type: ignore[attr-defined]
    options = set(prop.cascade)
    backref = prop.backref if isinstance(prop.backref, str) else (prop.backref[0] if prop.backref else None)
    return RelationshipInfo(
        name=prop.key, target=prop.mapper.class_.__name__,
        target_table=str(prop.mapper.local_table.fullname),  # type: ignore[attr-defined]
        direction=direction, secondary=str(secondary.fullname) if isinstance(secondary, Table) else None,
        cascade=tuple(sorted(options)), cascade_text=_cascade_text(options),
        back_populates=prop.back_populates, backref=backref, lazy=str(prop.lazy),
        passive_deletes=prop.passive_deletes, viewonly=prop.viewonly, fk_columns=fk_cols, fk_table=fk_table)


def _model(mapper: Mapper[Any]) -> ModelInfo:
    table = mapper.local_table
    assert isinstance(table, Table)
    cls = mapper.class_
    # mapper.columns is set at mapping time: reading it does not configure (and cannot fail on) relationships
    attrs = {col.name: key for key, col in mapper.columns.items() if isinstance(col, Column) and col.table is table}
    doc = inspect.getdoc(cls)
    inherited_doc = cls.__bases__ and doc == inspect.getdoc(cls.__bases__[0])
    try:
        rels = tuple(_relationship(p) for p in mapper.relationships)
    except Exception:  # noqa: BLE001 - unconfigurable relationships are reported once, at the catalog level
        rels = ()
    return ModelInfo(
        name=cls.__name__, module=cls.__module__, table=table.fullname, schema=table.schema, table_name=table.name,
        doc=doc.strip().splitlines()[0] if doc and not inherited_doc else None,
        columns=_columns(table, attrs, _annotations(cls)), relationships=rels, constraints=_constraints(table),
        is_class=True)


def _plain_table(table: Table) -> ModelInfo:
    return ModelInfo(name=table.name, module=None, table=table.fullname, schema=table.schema, table_name=table.name,
                     doc=table.comment, columns=_columns(table, {}, {}), relationships=(),
                     constraints=_constraints(table), is_class=False)


def describe_models(loaded: LoadedModels) -> ModelCatalog:
    """Every mapped class, then every table of the metadata that no class maps (association tables)."""
    if loaded.metadata is None:
        return ModelCatalog((), None)
    error = None
    registries = {id(m.registry): m.registry for m in loaded.mappers}
    for reg in registries.values():
        try:
            Registry.configure(reg)
        except Exception as exc:  # noqa: BLE001 - reported on the page; columns still show
            error = f"{type(exc).__name__}: {exc}"
    models = [_model(m) for m in loaded.mappers if isinstance(m.local_table, Table) and m.inherits is None]
    models += [_model(m) for m in loaded.mappers if isinstance(m.local_table, Table) and m.inherits is not None
               and m.local_table is not m.inherits.local_table]
    mapped = {m.table for m in models}
    models += [_plain_table(t) for key, t in sorted(loaded.metadata.tables.items()) if key not in mapped]
    models.sort(key=lambda m: (not m.is_class, m.name.lower()))
    return ModelCatalog(tuple(models), error)
