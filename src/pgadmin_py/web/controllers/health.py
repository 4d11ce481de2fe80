"""Container probes: ``/healthz`` (the process answers) and ``/readyz`` (the database answers).

Both are public, so they say no more than ready or not: no server version (it would tell an
anonymous caller which vulnerabilities to try) and no connection error (it names hosts and users).
The server log and the dashboard have the details.
"""

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
    async def readyz(self, runtime: Runtime) -> Response[dict[str, str]]:
        up = await asyncio.to_thread(runtime.monitor.check_now)
        if up:
            return Response({"status": "ready"})
        return Response({"status": "not ready"}, status_code=503)
