"""The diagram service: catalog -> graph -> layout -> SVG, cached by a fingerprint of the catalog.

The catalog fingerprint is one cheap query; the full description of every table is many. So a warm
request costs the fingerprint query plus a dictionary lookup, and any DDL (a migration, a new index)
changes the fingerprint and redraws.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Engine, text

from pgadmin_py.catalog.tables import (
    FK_ACTIONS,
    USER_SCHEMAS,
    TableInfo,
    all_tables,
    catalog_fingerprint,
    list_relations,
)
from pgadmin_py.core.errors import NotFound
from pgadmin_py.diagram.graph import Edge, Graph, Node, build_graph
from pgadmin_py.diagram.layout import Layout, layout
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.png import svg_to_png
from pgadmin_py.diagram.svg import Links, render_svg
from pgadmin_py.orm.introspect import ModelCatalog

V = TypeVar("V")

_FK_RULES = text(f"""
select n.nspname as schema, c.relname as "table", con.confdeltype as on_delete,
       array(select attname::text from unnest(con.conkey) with ordinality k(n, i)
               join pg_attribute on attrelid = con.conrelid and attnum = k.n order by k.i) as columns
  from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
 where con.contype = 'f' and {USER_SCHEMAS}""")


class KeyedCache(Generic[V]):
    """A small thread-safe LRU: handlers run in worker threads."""

    def __init__(self, size: int = 64) -> None:
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = build()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value


@dataclass(frozen=True, slots=True)
class Diagram:
    params: DiagramParams
    graph: Graph
    layout: Layout
    svg: str
    schemas: tuple[str, ...]
    table_keys: tuple[str, ...]  # every table of the database, for the "focus on" picker

    @property
    def title(self) -> str:
        if self.graph.focus:
            return f"{self.graph.focus} and its neighbours (depth {self.params.depth})"
        return f"schema {self.params.schema}" if self.params.schema else "all tables"


@dataclass(frozen=True, slots=True)
class EdgeDetail:
    edge: Edge
    child: TableInfo
    parent: TableInfo


def _key(schema: str | None, table: str) -> str:
    return table if "." in table else f"{schema or 'public'}.{table}"


class DiagramService:
    def __init__(self, engine: Engine, models: ModelCatalog) -> None:
        self.engine = engine
        self.models = models
        self._tables: KeyedCache[list[TableInfo]] = KeyedCache(4)
        self._diagrams: KeyedCache[Diagram] = KeyedCache(64)
        self._rules: KeyedCache[dict[tuple[str, tuple[str, ...]], str]] = KeyedCache(4)
        self._relations: KeyedCache[frozenset[str]] = KeyedCache(4)
        self._model_names = {f"{m.db_schema}.{m.table_name}": m.name for m in models.models if m.is_class}
        self._model_links = tuple(self._links(models))

    @staticmethod
    def _links(models: ModelCatalog) -> list[tuple[str, str, str]]:
        out = []
        for m in models.models:
            here = f"{m.db_schema}.{m.table_name}"
            for rel in m.relationships:
                target = _key(m.schema, rel.target_table)
                if rel.direction in ("1:N", "1:1"):
                    out.append((target, here, f"{m.name}.{rel.name}"))
                elif rel.direction == "N:1":
                    out.append((here, target, f"{m.name}.{rel.name}"))
        return out

    def fingerprint(self) -> str:
        return catalog_fingerprint(self.engine)

    def fk_rules(self, fingerprint: str) -> dict[tuple[str, tuple[str, ...]], str]:
        """(table as the models name it, FK columns) -> ON DELETE: one query, for pages that need no columns."""
        def build() -> dict[tuple[str, tuple[str, ...]], str]:
            with self.engine.connect() as conn:
                rows = conn.execute(_FK_RULES).mappings().all()
            return {(r["table"] if r["schema"] == "public" else f'{r["schema"]}.{r["table"]}', tuple(r["columns"])):
                    FK_ACTIONS[r["on_delete"]] for r in rows}
        return self._rules.get(fingerprint, build)

    def relation_keys(self, fingerprint: str) -> frozenset[str]:
        """"schema.name" of every table and view (one query)."""
        return self._relations.get(fingerprint, lambda: frozenset(
            f"{r.schema}.{r.name}" for r in list_relations(self.engine)))

    def tables(self, fingerprint: str) -> list[TableInfo]:
        return self._tables.get(fingerprint, lambda: all_tables(self.engine))

    def diagram(self, params: DiagramParams, links: Links, *, drift: frozenset[str] = frozenset(),
                fingerprint: str | None = None) -> Diagram:
        fp = fingerprint or self.fingerprint()
        return self._diagrams.get(("page", fp, params.cache_key, drift),
                                  lambda: self._build(fp, params, links, drift, standalone=False))

    def _build(self, fp: str, params: DiagramParams, links: Links, drift: frozenset[str], *,
               standalone: bool) -> Diagram:
        tables = self.tables(fp)
        graph = build_graph(tables, params, models=self._model_names, drift=drift, model_links=self._model_links)
        placed = layout(graph)
        svg = render_svg(graph, placed, links, title=f"ER diagram: {_title(params, graph)}", standalone=standalone)
        return Diagram(params, graph, placed, svg, tuple(sorted({t.schema for t in tables})),
                       tuple(f"{t.schema}.{t.name}" for t in tables))

    def _file(self, params: DiagramParams, drift: frozenset[str]) -> Diagram:
        fp = self.fingerprint()
        return self._diagrams.get(("file", fp, params.cache_key, drift), lambda: self._build(
            fp, params, Links(table=None), drift, standalone=True))

    def export_svg(self, params: DiagramParams, *, drift: frozenset[str] = frozenset()) -> str:
        """A complete SVG file: no links (they would point nowhere offline), light palette baked in."""
        return self._file(params, drift).svg

    def export_png(self, params: DiagramParams, *, drift: frozenset[str] = frozenset()) -> bytes:
        drawn = self._file(params, drift)
        return svg_to_png(drawn.svg, drawn.layout.width, drawn.layout.height)

    def edge(self, schema: str, table: str, name: str) -> EdgeDetail:
        tables = {f"{t.schema}.{t.name}": t for t in self.tables(self.fingerprint())}
        child = tables.get(f"{schema}.{table}")
        fk_index = next((i for i, fk in enumerate(child.foreign_keys) if fk.name == name), None) if child else None
        if child is None or fk_index is None:
            raise NotFound(f'There is no foreign key "{name}" on {schema}.{table}.',
                           "It may have been dropped since the diagram was drawn; reload the diagram.")
        fk = child.foreign_keys[fk_index]
        parent = tables[f"{fk.ref_schema}.{fk.ref_table}"]
        graph = build_graph([child, parent] if parent is not child else [child], DiagramParams())
        found = graph.edge(f"{schema}.{table}.{name}")
        assert found is not None
        return EdgeDetail(found, child, parent)


def _title(params: DiagramParams, graph: Graph) -> str:
    if graph.focus:
        return f"{graph.focus} and its neighbours"
    return f"schema {params.schema}" if params.schema else "all tables"


__all__ = ["Diagram", "DiagramService", "EdgeDetail", "KeyedCache", "Links", "Node"]
