"""The ER graph: tables as nodes, foreign keys as edges, with the facts the picture needs.

Built from catalog records (what the database really has); the models add class names, drift marks
and relationships the database does not enforce (a relationship with a ``primaryjoin`` but no FK).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pgadmin_py.catalog.tables import TableInfo
from pgadmin_py.diagram.params import DiagramParams

GROUP_EDGE = "group:"  # the id prefix of a line between two groups of tables (diagram.groups)
MAX_COLUMNS = 16  # more are summarised as "+ N more" so one wide table does not dominate the picture


@dataclass(frozen=True, slots=True)
class NodeColumn:
    name: str
    type_name: str
    primary_key: bool
    foreign_key: bool
    nullable: bool


@dataclass(frozen=True, slots=True)
class Node:
    key: str  # "schema.table"
    schema: str
    name: str
    columns: tuple[NodeColumn, ...]
    hidden_columns: int
    model: str | None  # the class that maps it
    drift: bool  # the model and the database differ for this table

    @property
    def label(self) -> str:
        return self.name if self.schema == "public" else f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Edge:
    id: str  # "schema.table.constraint": unique, used in URLs
    source: str  # the child table (holds the FK)
    target: str  # the referenced table
    name: str
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str
    child_unique: bool  # the FK columns are unique: one-to-one
    optional: bool  # a nullable FK: a child may have no parent
    from_model: bool = False  # a relationship the models declare but no FK enforces

    @property
    def cardinality(self) -> str:
        return ("0..1" if self.optional else "1") + (" to 0..1" if self.child_unique else " to many")


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    focus: str | None

    def edge(self, edge_id: str) -> Edge | None:
        return next((e for e in self.edges if e.id == edge_id), None)


def _node(table: TableInfo, keys_only: bool, models: Mapping[str, str], drift: frozenset[str],
          referenced: frozenset[str]) -> Node:
    """``referenced``: the columns other tables' FKs point at; like the key columns they are always shown, so
    every line can end at its own row."""
    fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
    cols = [NodeColumn(c.name, c.type_name, c.name in table.primary_key, c.name in fk_cols, c.nullable)
            for c in table.columns]
    if keys_only:
        cols = [c for c in cols if c.primary_key or c.foreign_key or c.name in referenced]
    keys = {c.name for c in cols if c.primary_key or c.foreign_key or c.name in referenced}
    others = [c.name for c in cols if c.name not in keys][:max(MAX_COLUMNS - len(keys), 0)]
    shown = [c for c in cols if c.name in keys or c.name in others]
    key = f"{table.schema}.{table.name}"
    return Node(key, table.schema, table.name, tuple(shown), len(cols) - len(shown),
                models.get(key), key in drift)


def _edge(table: TableInfo, fk_index: int) -> Edge:
    fk = table.foreign_keys[fk_index]
    unique_sets = {frozenset(u) for u in table.unique_constraints}
    unique_sets |= {frozenset(i.columns) for i in table.indexes if i.unique and i.columns}
    unique_sets.add(frozenset(table.primary_key))
    optional = any(c.nullable for c in table.columns if c.name in fk.columns)
    return Edge(id=f"{fk.schema}.{fk.table}.{fk.name}", source=f"{fk.schema}.{fk.table}",
                target=f"{fk.ref_schema}.{fk.ref_table}", name=fk.name, columns=fk.columns,
                ref_columns=fk.ref_columns, on_delete=fk.on_delete, on_update=fk.on_update,
                child_unique=frozenset(fk.columns) in unique_sets, optional=optional)


def _neighbourhood(tables: Iterable[TableInfo], focus: str, depth: int) -> set[str]:
    links: dict[str, set[str]] = {}
    for t in tables:
        for fk in t.foreign_keys:
            a, b = f"{fk.schema}.{fk.table}", f"{fk.ref_schema}.{fk.ref_table}"
            links.setdefault(a, set()).add(b)
            links.setdefault(b, set()).add(a)
    seen, queue = {focus}, deque([(focus, 0)])
    while queue:
        key, dist = queue.popleft()
        if dist == depth:
            continue
        for other in sorted(links.get(key, ())):
            if other not in seen:
                seen.add(other)
                queue.append((other, dist + 1))
    return seen


def build_graph(tables: list[TableInfo], params: DiagramParams, *, models: Mapping[str, str] | None = None,
                drift: frozenset[str] = frozenset(),
                model_links: Iterable[tuple[str, str, str]] = ()) -> Graph:
    """The part of the database ``params`` selects.

    ``models`` maps "schema.table" to a class name; ``model_links`` are (source, target, label) relationships
    from the models, drawn only where no foreign key already connects the two tables.
    """
    chosen = [t for t in tables if params.schema is None or t.schema == params.schema]
    focus = params.table if params.table and any(f"{t.schema}.{t.name}" == params.table for t in tables) else None
    if focus is not None:
        keep = _neighbourhood(tables, focus, params.depth)
        chosen = [t for t in tables if f"{t.schema}.{t.name}" in keep]
    keys = {f"{t.schema}.{t.name}" for t in chosen}
    referenced: dict[str, set[str]] = {}
    for t in chosen:
        for fk in t.foreign_keys:
            referenced.setdefault(f"{fk.ref_schema}.{fk.ref_table}", set()).update(fk.ref_columns)
    nodes = tuple(_node(t, params.keys_only, models or {}, drift,
                        frozenset(referenced.get(f"{t.schema}.{t.name}", ()))) for t in chosen)
    edges = [_edge(t, i) for t in chosen for i, fk in enumerate(t.foreign_keys)
             if f"{fk.ref_schema}.{fk.ref_table}" in keys]
    linked = {(e.source, e.target) for e in edges} | {(e.target, e.source) for e in edges}
    for source, target, label in model_links:
        if source in keys and target in keys and (source, target) not in linked:
            linked.add((source, target))
            edges.append(Edge(id=f"model:{source}:{label}", source=source, target=target, name=label, columns=(),
                              ref_columns=(), on_delete="(none: not a foreign key)", on_update="",
                              child_unique=False, optional=True, from_model=True))
    return Graph(nodes, tuple(edges), focus)


_RULE_WORDS = {
    "CASCADE": "also deletes the {child} rows that point at it",
    "SET NULL": "sets {cols} to NULL in the {child} rows that point at it",
    "SET DEFAULT": "sets {cols} back to their default in the {child} rows that point at it",
    "RESTRICT": "is refused while {child} rows point at it (checked immediately)",
    "NO ACTION": "is refused while {child} rows point at it (the default rule; checked at the end of the statement)",
}


def rule_words(edge: Edge, action: str = "delete") -> str:
    """ON DELETE / ON UPDATE in a sentence a junior developer understands."""
    rule = edge.on_delete if action == "delete" else edge.on_update
    verb = "Deleting" if action == "delete" else "Changing the key of"
    words = _RULE_WORDS.get(rule, f"follows the rule {rule}")
    if action == "update":
        words = words.replace("deletes the", "updates the").replace("to NULL", "to NULL")
    return f"{verb} a row in {edge.target} " + words.format(child=edge.source, cols=", ".join(edge.columns)) + "."
