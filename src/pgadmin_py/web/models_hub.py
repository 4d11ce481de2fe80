"""What the models and diagram pages show: models, drift and cascades, composed once per app.

The pages compose what the feature packages may not compose themselves: the models as facts (``orm``:
read by the probe in the project's interpreter, with the database's drift from them, computed there by
Alembic's ``compare_metadata``), the catalog (``diagram``) and the revisions that touched a table
(``migrations.scripts``). :class:`ModelsHub` holds them per app, cached by the catalog fingerprint and the
generation of the model facts (they are read again when the project's files change).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from litestar import Request

from pgadmin_py.core.errors import AppError, NotFound
from pgadmin_py.core.pk import InvalidKey, tilde_decode
from pgadmin_py.diagram.service import DiagramService, KeyedCache
from pgadmin_py.migrations.scripts import RevisionScript, read_scripts
from pgadmin_py.orm.cascades import CascadeNote, DbRules, cascade_notes
from pgadmin_py.orm.introspect import ColumnInfo, ModelCatalog, ModelInfo
from pgadmin_py.orm.models import ModelFacts
from pgadmin_py.orm.probe import DriftItem
from pgadmin_py.orm.touches import tables_touched
from pgadmin_py.web.state import AppState

_HUB_LOCK = threading.Lock()
DRIFT_BUDGET_SECONDS = 0.35  # longer than this, a page renders without drift marks and fetches them when ready


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


@dataclass(frozen=True, slots=True)
class Touch:
    revision: str
    message: str
    create_date: str | None
    operations: tuple[str, ...]


class ModelsHub:
    """What the models and diagram pages need, built once per app and cached by catalog fingerprint."""

    def __init__(self, runtime: AppState) -> None:
        self.runtime = runtime
        self._facts: ModelFacts = runtime.models.facts()
        self._diagram = DiagramService(runtime.engine, self._facts.catalog)
        self._swap_lock = threading.Lock()
        self._drift: KeyedCache[Drift] = KeyedCache(4)
        self._touches: KeyedCache[dict[str, list[Touch]]] = KeyedCache(2)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="models-drift")
        self._pending: dict[str, Future[Drift]] = {}
        self.drift_budget = DRIFT_BUDGET_SECONDS
        self._pending_lock = threading.Lock()

    def _current(self) -> tuple[ModelFacts, DiagramService]:
        """The latest facts, and a diagram service built on them (rebuilt when the models were read again)."""
        facts = self.runtime.models.facts()
        with self._swap_lock:
            if facts.generation != self._facts.generation or facts.pending != self._facts.pending:
                self._facts = facts
                self._diagram = DiagramService(self.runtime.engine, facts.catalog)
            return self._facts, self._diagram

    @property
    def loaded(self) -> ModelFacts:
        return self._current()[0]

    @property
    def catalog(self) -> ModelCatalog:
        return self._current()[0].catalog

    @property
    def diagram(self) -> DiagramService:
        return self._current()[1]

    def _drift_key(self, fingerprint: str) -> str:
        return f"{fingerprint}:{self.loaded.generation}"

    def _drift_future(self, fingerprint: str) -> Future[Drift]:
        key = self._drift_key(fingerprint)
        with self._pending_lock:
            future = self._pending.get(key)
            if future is None:
                self._pending = {key: self._pool.submit(self.drift, fingerprint)}  # forget older catalogs
                future = self._pending[key]
            return future

    def drift_within(self, fingerprint: str, started: float | None = None) -> Drift | None:
        """The drift if it is ready within ``budget`` seconds (Alembic's comparison of 100 tables can take
        a second on a busy server); None means "still comparing": the page polls for it."""
        try:
            spent = time.monotonic() - started if started is not None else 0.0
            return self._drift_future(fingerprint).result(timeout=max(0.0, self.drift_budget - spent))
        except FutureTimeout:
            return None

    def drift_and_cascades(self, fingerprint: str) -> tuple[Drift | None, list[CascadeNote]]:
        """Both at once (separate connections); the drift is None when it is not ready within the budget."""
        started = time.monotonic()
        self._drift_future(fingerprint)
        notes = self.cascades(fingerprint)
        return self.drift_within(fingerprint, started), notes

    def drift_tables_and_catalog(self, fingerprint: str) -> frozenset[str]:
        """The "schema.table" keys that drift, computed while the diagram's catalog read runs."""
        if not self.loaded.loaded:
            self.diagram.tables(fingerprint)
            return frozenset()
        started = time.monotonic()
        self._drift_future(fingerprint)
        self.diagram.tables(fingerprint)
        drift = self.drift_within(fingerprint, started)
        return frozenset(t if "." in t else f"public.{t}" for t in drift.tables) if drift else frozenset()

    def fingerprint(self) -> str:
        return self.diagram.fingerprint()

    def drift(self, fingerprint: str) -> Drift:
        """Alembic's comparison, made by the probe in the project's interpreter (cached per catalog and models)."""
        if not self.loaded.loaded or not self.loaded.catalog.models:
            return Drift((), None)

        def build() -> Drift:
            found = self.runtime.models.drift(fingerprint)
            return Drift(found.items, found.error)

        return self._drift.get(self._drift_key(fingerprint), build)

    def db_rules(self, fingerprint: str) -> DbRules:
        return self.diagram.fk_rules(fingerprint)

    def cascades(self, fingerprint: str) -> list[CascadeNote]:
        return cascade_notes(self.catalog, self.db_rules(fingerprint))

    def touches(self) -> dict[str, list[Touch]]:
        """Table name -> the revisions whose scripts touch it (parsed from source, cached by file mtimes)."""
        ini = self.runtime.settings.alembic_config
        if ini is None:
            return {}
        try:
            scripts = read_scripts(self.runtime.migrations.project())
        except AppError:
            return {}
        key = tuple((str(s.path), _mtime(s)) for s in scripts)
        return self._touches.get(key, lambda: _touch_map(scripts))


def _mtime(script: RevisionScript) -> float:
    try:
        return script.path.stat().st_mtime
    except OSError:
        return 0.0


def _touch_map(scripts: list[RevisionScript]) -> dict[str, list[Touch]]:
    out: dict[str, list[Touch]] = {}
    for script in scripts:
        try:
            source = script.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for table, ops in tables_touched(source).items():
            out.setdefault(table, []).append(Touch(script.revision, script.message, script.create_date, ops))
    for touches in out.values():
        touches.sort(key=lambda t: t.create_date or "")
    return out


def hub_of(request: Request[Any, Any, Any], runtime: AppState) -> ModelsHub:
    state = request.app.state
    with _HUB_LOCK:
        hub = state.get("models_hub")
        if hub is None:
            hub = ModelsHub(runtime)
            state["models_hub"] = hub
    assert isinstance(hub, ModelsHub)
    return hub


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


def _views(catalog: ModelCatalog, q: str, drift: Drift, notes: list[CascadeNote]) -> list[ModelView]:
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


def models_page(hub: ModelsHub, q: str) -> ModelsPage:
    """Every model (filtered by ``q``), with drift marks when the comparison is ready in time."""
    facts = hub.loaded
    fp = hub.fingerprint() if facts.catalog.models else ""
    found, notes = hub.drift_and_cascades(fp) if fp else (Drift((), None), [])
    drift = found or Drift((), None)
    return ModelsPage(facts, facts.catalog, q, tuple(_views(facts.catalog, q, drift, notes)), drift,
                      found is None or facts.pending, tuple(notes), len(facts.catalog.models))


@dataclass(frozen=True, slots=True)
class ModelPage:
    view: ModelView
    drift: Drift
    drift_pending: bool
    touches: list[Touch]
    incoming: list[tuple[ModelInfo, Any]]
    table_exists: bool
    loaded: ModelFacts


def model_page(hub: ModelsHub, name: str) -> ModelPage:
    """One model in full; :class:`NotFound` with words when there is no such model."""
    try:
        decoded = tilde_decode(name)
    except InvalidKey:
        decoded = name
    facts = hub.loaded
    model = facts.catalog.get(decoded)
    if model is None and facts.pending:
        raise NotFound(f'The models are still being read, so "{decoded}" is not known yet.',
                       f"Reload in a moment: they are read by {facts.python}.")
    if model is None:
        raise NotFound(f'There is no model called "{decoded}".',
                       "Pick one from the list of models; names are case-sensitive.")
    fp = hub.fingerprint()
    found, all_notes = hub.drift_and_cascades(fp)
    drift = found or Drift((), None)
    notes = [n for n in all_notes if n.model == model.name]
    view = ModelView(model, model.columns, tuple(drift.all_for(model.table_name)), tuple(notes))
    incoming = [(m, r) for m in hub.catalog.models for r in m.relationships
                if r.target == model.name and m.name != model.name]
    return ModelPage(view, drift, found is None, hub.touches().get(model.table_name, []), incoming,
                     f"{model.db_schema}.{model.table_name}" in hub.diagram.relation_keys(fp), hub.loaded)
