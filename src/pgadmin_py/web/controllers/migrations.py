"""Routes of the migrations section: graph, revision, confirm + apply, runs with a live log, backups.

Every handler parses the request, makes one call into :class:`MigrationsService`, and renders. The live
log is an SSE stream (sse-starlette's ``EventSourceResponse``) that only *watches* a run: the run lives
in a server thread, so closing the tab never cancels it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Response
from markupsafe import escape
from sse_starlette import EventSourceResponse, ServerSentEvent

from pgadmin_py.core.errors import AppError, NotFound
from pgadmin_py.migrations.params import PlanParams
from pgadmin_py.migrations.project import AlembicProjectError
from pgadmin_py.migrations.runs import MigrationRunning, RunRegistry
from pgadmin_py.migrations.service import SQL_WAIT_SECONDS, MigrationsService, NotConfigured
from pgadmin_py.web.render import htmx_block
from pgadmin_py.web.state import AppState, Runtime
from pgadmin_py.web.urls import Urls

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
POLL_SECONDS = 0.1
SQL_BLOCK_WAIT_SECONDS = 2.0


def registry_of(runtime: AppState) -> RunRegistry:
    """The app's run registry (owned by its migrations service)."""
    return runtime.migrations.registry


def service(request: Request[Any, Any, Any], runtime: AppState) -> MigrationsService:
    """The app's migrations service, built once by ``create_app`` (it owns caches and a thread pool)."""
    return runtime.migrations


def sql_wait(request: Request[Any, Any, Any]) -> float:
    """How long a page waits for an offline SQL preview: a moment for the whole page (it shows a
    placeholder), longer for htmx asking for the SQL block itself (fewer round trips)."""
    return SQL_BLOCK_WAIT_SECONDS if htmx_block(request) else SQL_WAIT_SECONDS


def who(request: Request[Any, Any, Any]) -> str:
    """The run's author as far as we know it: the client address (auth is one shared password or token)."""
    return request.client.host if request.client else "unknown"


def _script_download(script: str, filename: str) -> Response[str]:
    """A revision script as a download: the project directory is never written to."""
    return Response(script, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def log_line(text: str) -> str:
    kind = "mark" if "::pgadmin-py::" in text else "ours" if "pgadmin-py:" in text else \
        "err" if ("Error" in text or "Traceback" in text) else "out"
    return f'<span class="log-line log-{kind}">{escape(text)}</span>\n'


class MigrationsController(Controller):
    path = "/migrations"

    @get("/", sync_to_thread=True)
    def overview(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        try:
            view = service(request, runtime).overview()
        except (NotConfigured, AlembicProjectError) as exc:
            return runtime.renderer.page(request, "migrations/unconfigured.html", section="migrations",
                                         title="Migrations", error=exc)
        return runtime.renderer.page(request, "migrations/index.html", section="migrations", title="Migrations",
                                     view=view)

    @get("/plan", sync_to_thread=True)
    def plan(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        params = PlanParams.parse(dict(request.query_params))
        plan = service(request, runtime).plan(params.action, params.target, wait=sql_wait(request))
        return runtime.renderer.page(request, "migrations/plan.html", section="migrations",
                                     title=plan.label.capitalize(), plan=plan, params=params, error=None)

    @post("/apply", sync_to_thread=True, status_code=303)
    def apply(self, request: Request[Any, Any, Any], runtime: Runtime, data: FormData) -> Response[str] | Redirect:
        if not data.get("action", "").strip() or not data.get("target", "").strip():  # never a run from defaults
            raise AppError("A migration runs only from its confirmation page, which names the action and target.",
                           "Open Migrations and choose what to apply.")
        params = PlanParams.parse(data)
        svc = service(request, runtime)
        try:
            run_id = svc.start(params.action, params.target, confirm=data.get("confirm", ""),
                               backup=data.get("backup", "on") != "off",
                               proceed_without_backup=data.get("proceed_without_backup") == "on",
                               started_by=who(request), reviewed_from=data.get("reviewed_from"),
                               token=data.get("plan_token") or None)
        except MigrationRunning as exc:
            return running_page(request, runtime, exc)
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @get("/runs", sync_to_thread=True)
    def runs(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        svc = service(request, runtime)
        return runtime.renderer.page(request, "migrations/runs.html", section="migrations", title="Migration runs",
                                     runs=svc.history.recent())

    @get("/runs/{run_id:int}", sync_to_thread=True)
    def run(self, request: Request[Any, Any, Any], runtime: Runtime, run_id: FromPath[int]) -> Response[str]:
        svc = service(request, runtime)
        record = svc.history.get(run_id)
        if record is None:
            return runtime.renderer.page(request, "errors/error.html", section="migrations", title="Run not found",
                                         status_code=404, status=404, detail=f"There is no run #{run_id}.",
                                         hint="See the list of runs.", request_id=None)
        live = svc.registry.live(run_id)
        lines = list(live.lines) if live is not None else record.log.splitlines()
        running = live is not None and not live.done.is_set()
        if not running and live is not None:
            record = svc.history.get(run_id) or record
        return runtime.renderer.page(request, "migrations/run.html", section="migrations", title=f"Run #{run_id}",
                                     record=record, lines=[log_line(x) for x in lines], running=running,
                                     line_count=len(lines), elsewhere=svc.registry.elsewhere(svc.history, run_id))

    @get("/runs/{run_id:int}/events")
    async def events(self, request: Request[Any, Any, Any], runtime: Runtime, run_id: FromPath[int],
                     after: FromQuery[int] = 0) -> EventSourceResponse:
        registry = registry_of(runtime)
        if registry.live(run_id) is None and await asyncio.to_thread(
                lambda: service(request, runtime).history.get(run_id)) is None:
            raise NotFound(f"There is no run #{run_id}.", "See the list of runs.")

        async def stream() -> AsyncIterator[ServerSentEvent]:
            index = max(after, 0)
            live = registry.live(run_id)
            while live is not None:
                new = live.since(index)
                if new:
                    index += len(new)
                    yield ServerSentEvent(data="".join(log_line(x) for x in new), event="line")
                elif live.done.is_set():
                    break
                else:
                    await asyncio.sleep(POLL_SECONDS)
            record = await asyncio.to_thread(lambda: service(request, runtime).history.get(run_id))
            body = runtime.renderer.render(request, "migrations/run.html", section="migrations", title="",
                                           block="outcome", record=record, running=False, lines=[], line_count=0,
                                           elsewhere=None)
            yield ServerSentEvent(data=body, event="done")

        return EventSourceResponse(stream(), ping=15, send_timeout=30)

    @get("/backups", sync_to_thread=True)
    def backups(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        svc = service(request, runtime)
        return runtime.renderer.page(request, "migrations/backups.html", section="migrations", title="Backups",
                                     view=svc.backups(), backup_dir=str(runtime.settings.backup_dir))

    @get("/backups/{name:str}/restore", sync_to_thread=True)
    def restore_confirm(self, request: Request[Any, Any, Any], runtime: Runtime, name: FromPath[str]) -> Response[str]:
        plan = service(request, runtime).restore_plan(name)
        return runtime.renderer.page(request, "migrations/restore.html", section="migrations",
                                     title=f"Restore {name}", plan=plan)

    @post("/backups/{name:str}/restore", sync_to_thread=True, status_code=303)
    def restore(self, request: Request[Any, Any, Any], runtime: Runtime, name: FromPath[str],
                data: FormData) -> Response[str] | Redirect:
        try:
            run_id = service(request, runtime).restore(name, confirm=data.get("confirm", ""),
                                                       started_by=who(request),
                                                       unknown_source=data.get("unknown_source") == "on")
        except MigrationRunning as exc:
            return running_page(request, runtime, exc)
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @get("/download/autogenerate", sync_to_thread=True)
    def download_autogenerate(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        return _script_download(service(request, runtime).autogenerate_script(), "autogenerated_revision.py")

    @get("/download/merge", sync_to_thread=True)
    def download_merge(self, request: Request[Any, Any, Any], runtime: Runtime) -> Response[str]:
        return _script_download(service(request, runtime).merge_script(), "merge_heads.py")

    @get("/{rev:str}", sync_to_thread=True)
    def revision(self, request: Request[Any, Any, Any], runtime: Runtime, rev: FromPath[str]) -> Response[str]:
        detail = service(request, runtime).detail(rev, wait=sql_wait(request))
        return runtime.renderer.page(request, "migrations/revision.html", section="migrations",
                                     title=f"Revision {rev}", detail=detail)


def running_page(request: Request[Any, Any, Any], runtime: AppState, exc: MigrationRunning) -> Response[str]:
    return runtime.renderer.page(request, "migrations/running.html", section="migrations",
                                 title="A migration is running", status_code=409, error=exc)


ROUTES: list[Any] = [MigrationsController]
