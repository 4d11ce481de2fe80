"""Routes of the ER diagram: the page (all tables, a schema, or a table's neighbourhood), the details
of one foreign key (an htmx fragment or a page), and SVG / PNG downloads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Response

from pgadmin_py.core.errors import NotFound
from pgadmin_py.core.pk import InvalidKey, tilde_decode
from pgadmin_py.diagram.graph import Edge, rule_words
from pgadmin_py.diagram.params import DiagramParams
from pgadmin_py.diagram.service import Diagram
from pgadmin_py.diagram.svg import Links
from pgadmin_py.web.state import ModelsDep, RendererDep
from pgadmin_py.web.urls import Urls

_URLS = Urls()
PAGE_LINKS = Links(table=lambda n: _URLS.table(n.schema, n.name), edge=lambda e: _edge_url(e),
                   view=lambda p: _URLS.diagram_of(p.to_query()))


def _edge_url(edge: Edge) -> str:
    if edge.from_model:
        return _URLS.models()
    schema, _, rest = edge.source.partition(".")
    return _URLS.diagram_edge(schema, rest, edge.name)


def _params(request: Request[Any, Any, Any]) -> DiagramParams:
    return DiagramParams.from_query({k: str(v) for k, v in request.query_params.items()})


def _decode(value: str) -> str:
    try:
        return tilde_decode(value)
    except InvalidKey:
        raise NotFound(f"{value!r} is not a valid name in a URL.", "Open the diagram and click the line again.") \
            from None


class DiagramController(Controller):
    path = "/diagram"

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], renderer: RendererDep, models: ModelsDep) -> Response[str]:
        page = models.diagram(_params(request), PAGE_LINKS)
        return renderer.page(request, "diagram/index.html", section="diagram", title="ER diagram",
                             diagram=page.diagram, params=page.params, query=page.params.to_query(),
                             has_models=page.has_models, views=_views(page.diagram))

    @get("/edges/{schema:str}/{table:str}/{name:str}", sync_to_thread=True)
    def edge(self, request: Request[Any, Any, Any], renderer: RendererDep, models: ModelsDep, schema: FromPath[str],
             table: FromPath[str], name: FromPath[str]) -> Response[str]:
        page = models.edge(_decode(schema), _decode(table), _decode(name))
        return renderer.page(request, "diagram/edge.html", section="diagram", title=page.edge.name,
                             detail=page.detail, on_delete=rule_words(page.edge, "delete"),
                             on_update=rule_words(page.edge, "update"), relationships=page.relationships,
                             notes=page.notes)


class DiagramFilesController(Controller):
    path = "/"

    @get("/diagram.svg", sync_to_thread=True)
    def svg(self, request: Request[Any, Any, Any], models: ModelsDep) -> Response[str]:
        params = _params(request)
        return Response(models.export_svg(params), media_type="image/svg+xml",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(params)}.svg"'})

    @get("/diagram.png", sync_to_thread=True)
    def png(self, request: Request[Any, Any, Any], models: ModelsDep) -> Response[bytes]:
        params = _params(request)
        return Response(models.export_png(params), media_type="image/png",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(params)}.png"'})


def _views(diagram: Diagram) -> dict[str, Any]:
    """The other views of a schema drawn in groups: the overview, every table, each group."""
    params = replace(diagram.params, group=None, whole=False)
    groups = diagram.grouped.groups if diagram.grouped else ()
    return {"overview": _URLS.diagram_of(params.to_query()),
            "whole": _URLS.diagram_of(replace(params, whole=True).to_query()),
            "groups": {g.key: _URLS.diagram_of(replace(params, group=g.key).to_query()) for g in groups}}


def _filename(params: DiagramParams) -> str:
    part = params.table or params.schema or "all"
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_." else "_" for ch in part)  # latin-1 header
    return f"er-diagram-{safe}"


ROUTES: list[Any] = [DiagramController, DiagramFilesController]
