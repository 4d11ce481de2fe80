"""The mapper a form is built from: the user's model for a table, else an automap mapper.

Reflection is I/O, so automap mappers are cached per table shape (the catalog facts of its
columns and keys): a schema change gives a new key, and nothing is reflected twice otherwise.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Column, DefaultClause, Engine, MetaData, Table, TextClause, text
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.orm import Mapper

from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.orm.loader import LoadedModels

_CACHE: dict[tuple[Any, ...], Mapper[Any]] = {}
_LOCK = threading.Lock()


def model_mapper(models: LoadedModels, schema: str, name: str) -> Mapper[Any] | None:
    """The user's mapper whose table is ``schema.name`` (a model without a schema is in ``public``)."""
    for mapper in models.mappers:
        for table in mapper.tables:
            if isinstance(table, Table) and table.name == name and (table.schema or "public") == schema:
                return mapper
    return None


def shape_key(info: TableInfo) -> tuple[Any, ...]:
    return (info.oid, info.schema, info.name, info.columns, info.primary_key, info.foreign_keys)


def _server_default(default: object) -> str | TextClause | None:
    if isinstance(default, DefaultClause):
        arg = default.arg
        return arg if isinstance(arg, str | TextClause) else text(str(arg))
    return None


def automap_mapper(engine: Engine, info: TableInfo) -> Mapper[Any] | None:
    """An automap class reflected from the database; None for a table without a primary key."""
    if not info.primary_key:
        return None
    key = shape_key(info)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    reflected = MetaData()
    with engine.connect() as conn:
        table = Table(info.name, reflected, schema=info.schema, autoload_with=conn, resolve_fks=False)
    # Only this table is reflected; its foreign keys would point at tables we did not load, so the
    # automap class gets the columns (types, nullability, server defaults) without them.
    metadata = MetaData()
    Table(info.name, metadata, *[
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, comment=c.comment,
               server_default=_server_default(c.server_default))
        for c in table.columns], schema=info.schema)
    base = automap_base(metadata=metadata)
    base.prepare()
    mapped: list[Mapper[Any]] = [m for m in base.registry.mappers if m.local_table.name == info.name]
    if not mapped:
        return None
    with _LOCK:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = mapped[0]
    return mapped[0]


def mapper_for(engine: Engine, models: LoadedModels, info: TableInfo) -> Mapper[Any] | None:
    """The user's model when there is one, else automap (None without a primary key)."""
    return model_mapper(models, info.schema, info.name) or automap_mapper(engine, info)
