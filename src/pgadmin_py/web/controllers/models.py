"""Routes of the models section: every model as a tree, and one model in full (see web/models_hub.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from pgadmin_py.web.models_hub import hub_of, model_page, models_page
from pgadmin_py.web.state import Runtime


class ModelsController(Controller):
    path = "/models"

    @get("/", sync_to_thread=True)
    def index(self, request: Request[Any, Any, Any], runtime: Runtime, q: FromQuery[str] = "") -> Response[str]:
        page = models_page(hub_of(request, runtime), q)
        return runtime.renderer.page(request, "models/index.html", section="models", title="Models", page=page)

    @get("/{name:str}", sync_to_thread=True)
    def model(self, request: Request[Any, Any, Any], runtime: Runtime, name: FromPath[str]) -> Response[str]:
        page = model_page(hub_of(request, runtime), name)
        return runtime.renderer.page(
            request, "models/model.html", section="models", title=page.view.model.name, view=page.view,
            drift=page.drift, drift_pending=page.drift_pending, touches=page.touches, incoming=page.incoming,
            table_exists=page.table_exists, loaded=page.loaded)


ROUTES: list[Any] = [ModelsController]
