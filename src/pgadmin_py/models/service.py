"""The models feature's facade: the models pages and the diagram's drift marks, one call per page.

It composes what the other features may not compose themselves: the models as facts (``orm``: read by the
probe in the project's interpreter, with the database's drift from them, computed there by Alembic's
``compare_metadata``), the ER diagram (``diagram``) and the revisions that touched a table (``migrations``).
Built once by ``create_app``; it owns the drift comparison's worker thread (stopped with the app) and
bounded caches keyed by the catalog fingerprint and the generation of the model facts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from pgadmin_py.core.cache import BoundedCache
from pgadmin_py.core.errors import NotFound
from pgadmin_py.core.pk import InvalidKey, tilde_decode
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.service import DiagramService
from pgadmin_py.diagram.svg import Links
from pgadmin_py.migrations.scripts import RevisionScript
from pgadmin_py.models.pages import (
    NO_DRIFT,
    DiagramPage,
    Drift,
    EdgePage,
    ModelPage,
    ModelsPage,
    ModelView,
    Touch,
    model_views,
)
from pgadmin_py.orm.cascades import CascadeNote, DbRules, cascade_notes
from pgadmin_py.orm.introspect import ModelCatalog
from pgadmin_py.orm.models import ModelFacts, ProjectModels
from pgadmin_py.orm.touches import tables_touched

DRIFT_BUDGET_SECONDS = 0.35  # longer than this, a page renders without drift marks and fetches them when ready


class ModelsService:
    """What the models and diagram pages need. ``scripts`` lists the project's revision scripts (empty when
    there is no Alembic project); ``drift_budget`` is how long a page waits for the drift comparison."""

    def __init__(self, project: ProjectModels, diagram: DiagramService,
                 scripts: Callable[[], Sequence[RevisionScript]], *,
                 drift_budget: float = DRIFT_BUDGET_SECONDS) -> None:
        self.project = project
        self.diagram_service = diagram
        self._scripts = scripts
        self.drift_budget = drift_budget
        self._drift: BoundedCache[str, Drift] = BoundedCache(4)
        self._touches: BoundedCache[tuple[tuple[str, float], ...], dict[str, list[Touch]]] = BoundedCache(2)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="models-drift")
        self._pending: dict[str, Future[Drift]] = {}
        self._pending_lock = threading.Lock()

    def shutdown(self) -> None:
        """Stop the drift comparison's worker (app shutdown); a comparison in flight ends with its child."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- facts -----------------------------------------------------------------------------------------
    @property
    def loaded(self) -> ModelFacts:
        return self.project.facts()

    @property
    def catalog(self) -> ModelCatalog:
        return self.loaded.catalog

    def fingerprint(self) -> str:
        return self.diagram_service.fingerprint()

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
        """The drift if it is ready within the budget (Alembic's comparison of 100 tables can take a second
        on a busy server); None means "still comparing": the page polls for it."""
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

    def drift_keys(self, fingerprint: str) -> frozenset[str]:
        """The "schema.table" keys that drift, computed while the diagram's catalog read runs."""
        if not self.loaded.loaded:
            self.diagram_service.tables(fingerprint)
            return frozenset()
        started = time.monotonic()
        self._drift_future(fingerprint)
        self.diagram_service.tables(fingerprint)
        drift = self.drift_within(fingerprint, started)
        return frozenset(t if "." in t else f"public.{t}" for t in drift.tables) if drift else frozenset()

    def drift(self, fingerprint: str) -> Drift:
        """Alembic's comparison, made by the probe in the project's interpreter (cached per catalog and models)."""
        if not self.loaded.loaded or not self.loaded.catalog.models:
            return NO_DRIFT

        def build() -> Drift:
            found = self.project.drift(fingerprint)
            return Drift(found.items, found.error)

        return self._drift.get_or_build(self._drift_key(fingerprint), build)

    def db_rules(self, fingerprint: str) -> DbRules:
        return self.diagram_service.fk_rules(fingerprint)

    def cascades(self, fingerprint: str) -> list[CascadeNote]:
        return cascade_notes(self.catalog, self.db_rules(fingerprint))

    def touches(self) -> dict[str, list[Touch]]:
        """Table name -> the revisions whose scripts touch it (parsed from source, cached by file mtimes)."""
        scripts = list(self._scripts())
        key = tuple((str(s.path), _mtime(s)) for s in scripts)
        return self._touches.get_or_build(key, lambda: _touch_map(scripts))

    # -- pages -----------------------------------------------------------------------------------------
    def index(self, q: str) -> ModelsPage:
        """Every model (filtered by ``q``), with drift marks when the comparison is ready in time."""
        facts = self.loaded
        fp = self.fingerprint() if facts.catalog.models else ""
        found, notes = self.drift_and_cascades(fp) if fp else (None, [])
        drift = found or NO_DRIFT
        return ModelsPage(facts, facts.catalog, q, tuple(model_views(facts.catalog, q, drift, notes)), drift,
                          (found is None and bool(fp)) or facts.pending, tuple(notes), len(facts.catalog.models))

    def model(self, name: str) -> ModelPage:
        """One model in full; :class:`NotFound` with words when there is no such model."""
        try:
            decoded = tilde_decode(name)
        except InvalidKey:
            decoded = name
        facts = self.loaded
        model = facts.catalog.get(decoded)
        if model is None and facts.pending:
            raise NotFound(f'The models are still being read, so "{decoded}" is not known yet.',
                           f"Reload in a moment: they are read by {facts.python}.")
        if model is None:
            raise NotFound(f'There is no model called "{decoded}".',
                           "Pick one from the list of models; names are case-sensitive.")
        fp = self.fingerprint()
        found, all_notes = self.drift_and_cascades(fp)
        drift = found or NO_DRIFT
        notes = [n for n in all_notes if n.model == model.name]
        view = ModelView(model, model.columns, tuple(drift.all_for(model.table_name)), tuple(notes))
        incoming = [(m, r) for m in facts.catalog.models for r in m.relationships
                    if r.target == model.name and m.name != model.name]
        return ModelPage(view, drift, found is None, self.touches().get(model.table_name, []), incoming,
                         f"{model.db_schema}.{model.table_name}" in self.diagram_service.relation_keys(fp), facts)

    def diagram(self, params: DiagramParams, links: Links) -> DiagramPage:
        """The ER diagram with the tables whose models drift marked."""
        fp = self.fingerprint()
        drawn = self.diagram_service.diagram(params, links, drift=self.drift_keys(fp), fingerprint=fp)
        return DiagramPage(drawn, params, self.loaded.loaded)

    def edge(self, schema: str, table: str, name: str) -> EdgePage:
        """One foreign key, with the models' relationships over it and their cascade notes."""
        detail = self.diagram_service.edge(schema, table, name)
        edge = detail.edge
        table_key = edge.source.partition(".")[2] if edge.source.startswith("public.") else edge.source
        rels = [(m, r) for m in self.catalog.models for r in m.relationships
                if r.fk_table == table_key and r.fk_columns == edge.columns]
        names = {(m.name, r.name) for m, r in rels}
        notes = [n for n in self.cascades(self.fingerprint()) if (n.model, n.relationship) in names]
        return EdgePage(detail, rels, notes)

    def export_svg(self, params: DiagramParams) -> str:
        return self.diagram_service.export_svg(params, drift=self.drift_keys(self.fingerprint()))

    def export_png(self, params: DiagramParams) -> bytes:
        return self.diagram_service.export_png(params, drift=self.drift_keys(self.fingerprint()))


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
