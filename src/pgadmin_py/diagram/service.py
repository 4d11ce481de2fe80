"""The diagram service: catalog -> graph -> layout -> SVG, cached by a fingerprint of the catalog.

The catalog fingerprint is one cheap query; the full description of every table is many. So a warm
request costs the fingerprint query plus a dictionary lookup, and any DDL (a migration, a new index)
changes the fingerprint and redraws.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from pgadmin_py.catalog.keys import delete_rules
from pgadmin_py.catalog.tables import TableInfo, all_tables, catalog_fingerprint, list_relations
from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.errors import NotFound
from pgadmin_py.diagram.graph import Edge, Graph, Node, build_graph
from pgadmin_py.diagram.groups import Group, fits, group_tables, linked_groups, overview, overview_layout, subgraph
from pgadmin_py.diagram.layout import Layout, layout
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.png import svg_to_png
from pgadmin_py.diagram.svg import Links, render_svg
from pgadmin_py.orm.introspect import ModelCatalog


@dataclass(frozen=True, slots=True)
class Diagram:
    params: DiagramParams
    graph: Graph
    layout: Layout
    svg: str
    schemas: tuple[str, ...]
    table_keys: tuple[str, ...]  # every table of the database, for the "focus on" picker
    grouped: Grouped | None = None  # the schema is too large for a screen: its groups
    readable: bool = True  # fits a 1440x900 screen at "Fit" with its text at 10 px

    @property
    def title(self) -> str:
        if self.grouped is not None:
            return (f"group {self.grouped.group.name}" if self.grouped.group else
                    f"{self.grouped.total} tables in {len(self.grouped.groups)} groups")
        if self.graph.focus:
            return f"{self.graph.focus} and its neighbours (depth {self.params.depth})"
        return f"schema {self.params.schema}" if self.params.schema else "all tables"


@dataclass(frozen=True, slots=True)
class Grouped:
    """A schema whose diagram does not fit a screen readably, drawn as an overview of groups or one group."""

    total: int  # tables in the whole diagram
    groups: tuple[Group, ...]
    group: Group | None  # the group drawn; None: the overview
    linked: tuple[tuple[Group, int], ...]  # the groups linked to it, with their foreign-key counts


@dataclass(frozen=True, slots=True)
class EdgeDetail:
    edge: Edge
    child: TableInfo
    parent: TableInfo


def _no_models() -> ModelCatalog:
    return ModelCatalog((), None)


def _key(schema: str | None, table: str) -> str:
    return table if "." in table else f"{schema or 'public'}.{table}"


@dataclass(frozen=True, slots=True)
class _ModelMarks:
    """What the drawing takes from one reading of the models: table -> model name, and relationship lines."""

    catalog: ModelCatalog
    generation: int  # counts the readings this service has seen: part of every drawing's cache key
    names: dict[str, str]
    links: tuple[tuple[str, str, str], ...]


class DiagramService:
    """One per app (built by ``create_app``). ``models`` answers the models' facts as they are now (they are
    read again when the project changes); drawings are cached per catalog fingerprint and models reading."""

    def __init__(self, engine: Engine, models: Callable[[], ModelCatalog]) -> None:
        self.engine = engine
        self._models = models
        self._marks_lock = threading.Lock()
        self._marks = self._marks_of(_no_models(), 0)
        self._tables: BoundedCache[str, list[TableInfo]] = BoundedCache(4)
        self._diagrams: BoundedCache[Hashable, Diagram] = BoundedCache(64)
        self._rules: BoundedCache[str, dict[tuple[str, tuple[str, ...]], str]] = BoundedCache(4)
        self._relations: BoundedCache[str, frozenset[str]] = BoundedCache(4)

    @property
    def models(self) -> ModelCatalog:
        return self._current().catalog

    def _marks_of(self, catalog: ModelCatalog, generation: int) -> _ModelMarks:
        names = {f"{m.db_schema}.{m.table_name}": m.name for m in catalog.models if m.is_class}
        return _ModelMarks(catalog, generation, names, tuple(self._links(catalog)))

    def _current(self) -> _ModelMarks:
        catalog = self._models()
        with self._marks_lock:
            if catalog is not self._marks.catalog:
                self._marks = self._marks_of(catalog, self._marks.generation + 1)
            return self._marks

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
        return self._rules.get_or_build(fingerprint, lambda: delete_rules(self.engine))

    def relation_keys(self, fingerprint: str) -> frozenset[str]:
        """"schema.name" of every table and view (one query)."""
        return self._relations.get_or_build(fingerprint, lambda: frozenset(
            f"{r.schema}.{r.name}" for r in list_relations(self.engine)))

    def tables(self, fingerprint: str) -> list[TableInfo]:
        return self._tables.get_or_build(fingerprint, lambda: all_tables(self.engine))

    def diagram(self, params: DiagramParams, links: Links, *, drift: frozenset[str] = frozenset(),
                fingerprint: str | None = None) -> Diagram:
        fp = fingerprint or self.fingerprint()
        marks = self._current()
        return self._diagrams.get_or_build(("page", fp, marks.generation, params.cache_key, drift),
                                           lambda: self._build(fp, marks, params, links, drift, standalone=False))

    def _build(self, fp: str, marks: _ModelMarks, params: DiagramParams, links: Links, drift: frozenset[str], *,
               standalone: bool) -> Diagram:
        tables = self.tables(fp)
        graph = build_graph(tables, params, models=marks.names, drift=drift, model_links=marks.links)
        placed = layout(graph)
        grouped = None
        if params.table is None and not params.whole and (params.group or not fits(placed)):
            # groups of the keys-only drawing: the same whichever columns the page shows
            keyed = build_graph(tables, replace(params, keys_only=True, group=None), models=marks.names,
                                drift=drift, model_links=marks.links)
            found = group_tables(keyed)
            group = next((g for g in found if g.key == params.group), None)
            if len(found) > 1:
                grouped = Grouped(len(graph.nodes), tuple(found), group,
                                  tuple(linked_groups(graph, found, group.key)) if group else ())
                if group is not None:
                    graph = subgraph(graph, frozenset(group.tables))
                    placed = layout(graph)
                else:
                    graph = overview(graph, found)
                    placed = overview_layout(graph)
                    view = links.view
                    links = Links(table=None if view is None else lambda n: view(
                        replace(params, group=n.key, keys_only=True)))
        svg = render_svg(graph, placed, links, title=f"ER diagram: {_title(params, graph, grouped)}",
                         standalone=standalone)
        return Diagram(params, graph, placed, svg, tuple(sorted({t.schema for t in tables})),
                       tuple(f"{t.schema}.{t.name}" for t in tables), grouped, fits(placed))

    def _file(self, params: DiagramParams, drift: frozenset[str]) -> Diagram:
        fp = self.fingerprint()
        marks = self._current()
        return self._diagrams.get_or_build(("file", fp, marks.generation, params.cache_key, drift), lambda: self._build(
            fp, marks, params, Links(table=None), drift, standalone=True))

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


def _title(params: DiagramParams, graph: Graph, grouped: Grouped | None) -> str:
    if grouped is not None:
        return f"group {grouped.group.name}" if grouped.group else "groups of tables"
    if graph.focus:
        return f"{graph.focus} and its neighbours"
    return f"schema {params.schema}" if params.schema else "all tables"


__all__ = ["Diagram", "DiagramService", "EdgeDetail", "Grouped", "Links", "Node"]
