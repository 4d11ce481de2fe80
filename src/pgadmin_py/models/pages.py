"""What the models pages and the diagram show: frozen values the service composes and templates read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pgadmin_py.diagram.graph import Edge
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.service import Diagram, EdgeDetail
from pgadmin_py.orm.cascades import CascadeNote
from pgadmin_py.orm.introspect import ColumnInfo, ModelCatalog, ModelInfo, RelationshipInfo
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.orm.probe import DriftItem


@dataclass(frozen=True, slots=True)
class Drift:
    items: tuple[DriftItem, ...]
    error: str | None  # the comparison itself failed (reported, never fatal)

    def for_table(self, table: str) -> list[DriftItem]:
        return [i for i in self.items if i.table == table and i.column is None]

    def for_column(self, table: str, column: str) -> list[DriftItem]:
        return [i for i in self.items if i.table == table and i.column == column]

    def all_for(self, table: str) -> list[DriftItem]:
        return [i for i in self.items if i.table == table]

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(i.table for i in self.items)


NO_DRIFT = Drift((), None)


@dataclass(frozen=True, slots=True)
class Touch:
    revision: str
    message: str
    create_date: str | None
    operations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModelView:
    model: ModelInfo
    columns: tuple[ColumnInfo, ...]  # those matching the search (all when the model itself matches)
    drift: tuple[DriftItem, ...]  # every difference for its table
    notes: tuple[CascadeNote, ...]

    def column_drift(self, column: str) -> list[DriftItem]:
        return [d for d in self.drift if d.column == column]

    @property
    def table_drift(self) -> list[DriftItem]:
        return [d for d in self.drift if d.column is None]


@dataclass(frozen=True, slots=True)
class ModelsPage:
    loaded: ModelFacts
    catalog: ModelCatalog
    q: str
    views: tuple[ModelView, ...]
    drift: Drift
    drift_pending: bool  # still comparing: the page asks again in a moment
    cascades: tuple[CascadeNote, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ModelPage:
    view: ModelView
    drift: Drift
    drift_pending: bool
    touches: list[Touch]
    incoming: list[tuple[ModelInfo, Any]]
    table_exists: bool
    loaded: ModelFacts


@dataclass(frozen=True, slots=True)
class DiagramPage:
    diagram: Diagram
    params: DiagramParams
    has_models: bool


@dataclass(frozen=True, slots=True)
class EdgePage:
    detail: EdgeDetail
    relationships: list[tuple[ModelInfo, RelationshipInfo]]  # the models' relationships over this foreign key
    notes: list[CascadeNote]

    @property
    def edge(self) -> Edge:
        return self.detail.edge


def model_views(catalog: ModelCatalog, q: str, drift: Drift, notes: list[CascadeNote]) -> list[ModelView]:
    """The models matching ``q`` (by model, table, column name or type), each with its drift and notes."""
    needle = q.strip().lower()
    views = []
    for m in catalog.models:
        if needle and needle not in m.name.lower() and needle not in m.table.lower():
            cols = tuple(c for c in m.columns if needle in c.name.lower() or needle in c.type_text.lower())
            if not cols:
                continue
        else:
            cols = m.columns
        views.append(ModelView(m, cols, tuple(drift.all_for(m.table_name)),
                               tuple(n for n in notes if n.model == m.name)))
    return views
