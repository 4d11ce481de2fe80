"""Routes of the models section: every model as a tree, and one model in full (the models feature)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from pgadmin_py.web.state import ModelsDep, RendererDep


class ModelsController(Controller):
    path = "/models"

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], renderer: RendererDep, models: ModelsDep,
              q: FromQuery[str] = "") -> Response[str]:
        page = models.index(q)
        return renderer.page(request, "models/index.html", section="models", title="Models", page=page)

    @get("/{name:str}", sync_to_thread=True)
    def model(self, request: Request[Any, Any, Any], renderer: RendererDep, models: ModelsDep,
              name: FromPath[str]) -> Response[str]:
        page = models.model(name)
        return renderer.page(
            request, "models/model.html", section="models", title=page.view.model.name, view=page.view,
            drift=page.drift, drift_pending=page.drift_pending, touches=page.touches, incoming=page.incoming,
            table_exists=page.table_exists, loaded=page.loaded)


ROUTES: list[Any] = [ModelsController]
