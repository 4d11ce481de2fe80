"""Container probes: ``/healthz`` (the process answers) and ``/readyz`` (the database answers)."""

from __future__ import annotations

import asyncio

from litestar import Controller, get
from litestar.response import Response

from pgadmin_py.web.state import Runtime


class HealthController(Controller):
    path = "/"

    @get("/healthz", sync_to_thread=False)
    def healthz(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/readyz")
    async def readyz(self, runtime: Runtime) -> Response[dict[str, str | None]]:
        up = await asyncio.to_thread(runtime.monitor.check_now)
        if up:
            return Response({"status": "ready", "server_version": runtime.monitor.server_version})
        return Response({"status": "waiting for database", "error": runtime.monitor.last_error}, status_code=503)
