"""Routes of the ER diagram: the page (all tables, a schema, or a table's neighbourhood), the details
of one foreign key (an htmx fragment or a page), and SVG / PNG downloads."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response

from pgadmin_py.core.errors import NotFound
from pgadmin_py.core.pk import InvalidKey, tilde_decode
from pgadmin_py.diagram.graph import Edge, rule_words
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.svg import Links
from pgadmin_py.web.models_hub import ModelsHub, hub_of
from pgadmin_py.web.state import Runtime
from pgadmin_py.web.urls import Urls

_URLS = Urls()
PAGE_LINKS = Links(table=lambda n: _URLS.table(n.schema, n.name), edge=lambda e: _edge_url(e))


def _edge_url(edge: Edge) -> str:
    if edge.from_model:
        return _URLS.models()
    schema, _, rest = edge.source.partition(".")
    return _URLS.diagram_edge(schema, rest, edge.name)


def _params(request: Request[Any, Any, Any]) -> DiagramParams:
    return DiagramParams.from_query({k: str(v) for k, v in request.query_params.items()})


def _drift_keys(hub: ModelsHub, fingerprint: str) -> frozenset[str]:
    return hub.drift_tables_and_catalog(fingerprint)


def _decode(value: str) -> str:
    try:
        return tilde_decode(value)
    except InvalidKey:
        raise NotFound(f"{value!r} is not a valid name in a URL.", "Open the diagram and click the line again.") \
            from None


class DiagramController(Controller):
    path = "/diagram"

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        hub = hub_of(request, runtime)
        params = _params(request)
        fp = hub.fingerprint()
        drawn = hub.diagram.diagram(params, PAGE_LINKS, drift=_drift_keys(hub, fp), fingerprint=fp)
        return runtime.renderer.page(request, "diagram/index.html", section="diagram", title="ER diagram",
                                     diagram=drawn, params=params, query=params.to_query(),
                                     has_models=hub.loaded.loaded)

    @get("/edges/{schema:str}/{table:str}/{name:str}", sync_to_thread=True)
    def edge(self, request: Request[Any, Any, Any], runtime: Runtime, schema: FromPath[str],
             table: FromPath[str], name: FromPath[str]) -> Response[str]:
        hub = hub_of(request, runtime)
        detail = hub.diagram.edge(_decode(schema), _decode(table), _decode(name))
        edge = detail.edge
        table_key = edge.source.partition(".")[2] if edge.source.startswith("public.") else edge.source
        rels = [(m, r) for m in hub.catalog.models for r in m.relationships
                if r.fk_table == table_key and r.fk_columns == edge.columns]
        names = {(m.name, r.name) for m, r in rels}
        notes = [n for n in hub.cascades(hub.fingerprint()) if (n.model, n.relationship) in names]
        return runtime.renderer.page(request, "diagram/edge.html", section="diagram", title=edge.name,
                                     detail=detail, on_delete=rule_words(edge, "delete"),
                                     on_update=rule_words(edge, "update"), relationships=rels, notes=notes)


class DiagramFilesController(Controller):
    path = "/"

    @get("/diagram.svg", sync_to_thread=True)
    def svg(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        hub = hub_of(request, runtime)
        params = _params(request)
        body = hub.diagram.export_svg(params, drift=_drift_keys(hub, hub.fingerprint()))
        return Response(body, media_type="image/svg+xml",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(params)}.svg"'})

    @get("/diagram.png", sync_to_thread=True)
    def png(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[bytes]:
        hub = hub_of(request, runtime)
        params = _params(request)
        body = hub.diagram.export_png(params, drift=_drift_keys(hub, hub.fingerprint()))
        return Response(body, media_type="image/png",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(params)}.png"'})


def _filename(params: DiagramParams) -> str:
    part = params.table or params.schema or "all"
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_." else "_" for ch in part)  # latin-1 header
    return f"er-diagram-{safe}"


ROUTES: list[Any] = [DiagramController, DiagramFilesController]
