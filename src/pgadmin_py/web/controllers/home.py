"""The dashboard at ``/``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response

from pgadmin_py.web.dashboard import build_dashboard
from pgadmin_py.web.state import Runtime


class HomeController(Controller):
    path = "/"

    @get("/", sync_to_thread=True)
    def dashboard(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        board = build_dashboard(runtime)
        return runtime.renderer.page(request, "home.html", section="home", title="Dashboard", board=board)
