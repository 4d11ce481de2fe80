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

from pgadmin_py.core.errors import AppError
from pgadmin_py.migrations.params import PlanParams
from pgadmin_py.migrations.project import AlembicProjectError
from pgadmin_py.migrations.rehearsal import Rehearsals
from pgadmin_py.migrations.runs import MigrationRunning
from pgadmin_py.migrations.service import SQL_WAIT_SECONDS, MigrationsService
from pgadmin_py.migrations.views import NotConfigured
from pgadmin_py.web.htmx import target_of
from pgadmin_py.web.render import Renderer
from pgadmin_py.web.state import MigrationsDep, RehearsalsDep, RendererDep, RevisionFilesDep
from pgadmin_py.web.urls import Urls

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
POLL_SECONDS = 0.1
SQL_BLOCK_WAIT_SECONDS = 2.0


def sql_wait(request: Request[Any, Any, Any]) -> float:
    """How long a page waits for an offline SQL preview: a moment for the whole page (it shows a
    placeholder), longer for htmx asking for the SQL block itself (fewer round trips)."""
    return SQL_BLOCK_WAIT_SECONDS if target_of(request) else SQL_WAIT_SECONDS


def who(request: Request[Any, Any, Any]) -> str:
    """The run's author as far as we know it: the client address (auth is one shared password or token)."""
    return request.client.host if request.client else "unknown"


def _script_download(script: str, filename: str) -> Response[str]:
    """A revision script as a download: the project directory is never written to."""
    return Response(script, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def apply_form(data: dict[str, str], started_by: str) -> tuple[PlanParams, dict[str, Any]]:
    """The confirmed plan and the options of ``MigrationsService.start`` from the confirmation form."""
    if not data.get("action", "").strip() or not data.get("target", "").strip():  # never a run from defaults
        raise AppError("A migration runs only from its confirmation page, which names the action and target.",
                       "Open Migrations and choose what to apply.")
    return PlanParams.parse(data), {
        "confirm": data.get("confirm", ""), "backup": data.get("backup", "on") != "off",
        "proceed_without_backup": data.get("proceed_without_backup") == "on", "started_by": started_by,
        "reviewed_from": data.get("reviewed_from"), "token": data.get("plan_token") or None,
        "backup_kind": "targeted" if data.get("backup_kind") == "targeted" else "full"}


def resume_from(request: Request[Any, Any, Any], after: int) -> int:
    """The log line a stream starts at: a reconnecting EventSource's ``Last-Event-ID`` (the count of lines it
    received), else ``after`` (the lines its page already shows)."""
    last = request.headers.get("last-event-id", "")
    return max(int(last) if last.isdigit() else after, 0)


async def log_events(migrations: MigrationsService, renderer: Renderer, request: Request[Any, Any, Any],
                     run_id: int, index: int, rehearsals: Rehearsals) -> AsyncIterator[ServerSentEvent]:
    """The run's log from line ``index`` on, then its outcome; each event's id is the count of lines sent."""
    while True:
        chunk = await asyncio.to_thread(migrations.log_chunk, run_id, index)
        if chunk.lines:
            index += len(chunk.lines)
            yield ServerSentEvent(data="".join(log_line(x) for x in chunk.lines), event="line", id=str(index))
        elif chunk.done:
            break
        else:
            await asyncio.sleep(POLL_SECONDS)
    record = await asyncio.to_thread(migrations.run_record, run_id)
    schema = await asyncio.to_thread(migrations.run_schema, record)
    rehearsal = await asyncio.to_thread(rehearsals.result, run_id)
    body = renderer.render(request, "migrations/run.html", section="migrations", title="", block="outcome",
                           record=record, running=False, lines=[], line_count=0, elsewhere=None, schema=schema,
                           rehearsal=rehearsal)
    yield ServerSentEvent(data=body, event="done", id=str(index))


def log_line(text: str) -> str:
    kind = "mark" if "::pgadmin-py::" in text else "ours" if "pgadmin-py:" in text else \
        "err" if ("Error" in text or "Traceback" in text) else "out"
    return f'<span class="log-line log-{kind}">{escape(text)}</span>\n'


class MigrationsController(Controller):
    path = "/migrations"

    @get("/", sync_to_thread=True)
    def overview(self, request: Request[Any, Any, Any], renderer: RendererDep,
                 migrations: MigrationsDep, revision_files: RevisionFilesDep) -> Response[str]:
        try:
            view = migrations.overview()
        except (NotConfigured, AlembicProjectError) as exc:
            return renderer.page(request, "migrations/unconfigured.html", section="migrations",
                                         title="Migrations", error=exc)
        return renderer.page(request, "migrations/index.html", section="migrations", title="Migrations",
                             view=view, authors=revision_files.authors(view.graph))

    @get("/plan", sync_to_thread=True)
    def plan(self, request: Request[Any, Any, Any], renderer: RendererDep,
             migrations: MigrationsDep, rehearsals: RehearsalsDep) -> Response[str]:
        params = PlanParams.parse(dict(request.query_params))
        plan = migrations.plan(params.action, params.target, wait=sql_wait(request))
        return renderer.page(request, "migrations/plan.html", section="migrations",
                             title=plan.label.capitalize(), plan=plan, params=params, error=None,
                             rehearsal=rehearsals.panel(plan))

    @post("/rehearse", sync_to_thread=True, status_code=303)
    def rehearse(self, request: Request[Any, Any, Any], rehearsals: RehearsalsDep, data: FormData) -> Redirect:
        params = apply_form(data, who(request))[0]
        run_id = rehearsals.start(params.action, params.target, who(request))
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @post("/runs/{run_id:int}/cancel", sync_to_thread=True, status_code=303)
    def cancel(self, rehearsals: RehearsalsDep, run_id: FromPath[int]) -> Redirect:
        rehearsals.cancel(run_id)
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @post("/apply", sync_to_thread=True, status_code=303)
    def apply(self, request: Request[Any, Any, Any], renderer: RendererDep,
              migrations: MigrationsDep, data: FormData) -> Response[str] | Redirect:
        params, options = apply_form(data, who(request))
        try:
            run_id = migrations.start(params.action, params.target, **options)
        except MigrationRunning as exc:
            return running_page(request, renderer, exc)
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @get("/runs", sync_to_thread=True)
    def runs(self, request: Request[Any, Any, Any], renderer: RendererDep,
             migrations: MigrationsDep) -> Response[str]:
        return renderer.page(request, "migrations/runs.html", section="migrations", title="Migration runs",
                             runs=migrations.history.recent())

    @get("/runs/{run_id:int}", sync_to_thread=True)
    def run(self, request: Request[Any, Any, Any], renderer: RendererDep, migrations: MigrationsDep,
            rehearsals: RehearsalsDep, run_id: FromPath[int]) -> Response[str]:
        view = migrations.run_view(run_id)
        return renderer.page(request, "migrations/run.html", section="migrations", title=f"Run #{run_id}",
                             record=view.record, lines=[log_line(x) for x in view.lines], running=view.running,
                             line_count=len(view.lines), elsewhere=view.elsewhere,
                             schema=migrations.run_schema(view.record), rehearsal=rehearsals.result(run_id))

    @get("/runs/{run_id:int}/events")
    async def events(self, request: Request[Any, Any, Any], renderer: RendererDep, migrations: MigrationsDep,
                     rehearsals: RehearsalsDep, run_id: FromPath[int],
                     after: FromQuery[int] = 0) -> EventSourceResponse:
        await asyncio.to_thread(migrations.run_record, run_id)  # NotFound before the stream starts
        stream = log_events(migrations, renderer, request, run_id, resume_from(request, after), rehearsals)
        return EventSourceResponse(stream, ping=15, send_timeout=30)

    @get("/backups", sync_to_thread=True)
    def backups(self, request: Request[Any, Any, Any], renderer: RendererDep,
                migrations: MigrationsDep) -> Response[str]:
        return renderer.page(request, "migrations/backups.html", section="migrations", title="Backups",
                             view=migrations.backups(), backup_dir=str(migrations.settings.backup_dir))

    @get("/backups/{name:str}/restore", sync_to_thread=True)
    def restore_confirm(self, request: Request[Any, Any, Any], renderer: RendererDep,
                        migrations: MigrationsDep, name: FromPath[str]) -> Response[str]:
        plan = migrations.restore_plan(name)
        return renderer.page(request, "migrations/restore.html", section="migrations",
                             title=f"Restore {name}", plan=plan)

    @post("/backups/{name:str}/restore", sync_to_thread=True, status_code=303)
    def restore(self, request: Request[Any, Any, Any], renderer: RendererDep,
                migrations: MigrationsDep, name: FromPath[str],
                data: FormData) -> Response[str] | Redirect:
        try:
            run_id = migrations.restore(name, confirm=data.get("confirm", ""), started_by=who(request),
                                        unknown_source=data.get("unknown_source") == "on")
        except MigrationRunning as exc:
            return running_page(request, renderer, exc)
        return Redirect(Urls().migration_run(run_id), status_code=303)

    @get("/download/autogenerate", sync_to_thread=True)
    def download_autogenerate(self, migrations: MigrationsDep) -> Response[str]:
        return _script_download(migrations.autogenerate_script(), "autogenerated_revision.py")

    @get("/download/merge", sync_to_thread=True)
    def download_merge(self, migrations: MigrationsDep) -> Response[str]:
        return _script_download(migrations.merge_script(), "merge_heads.py")

    @get("/file", sync_to_thread=True)
    def file(self, request: Request[Any, Any, Any], renderer: RendererDep, revision_files: RevisionFilesDep,
             path: FromQuery[str] = "") -> Response[str]:
        view = revision_files.view(path)
        return renderer.page(request, "migrations/file.html", section="migrations", title=view.shown_path, view=view)

    @get("/{rev:str}", sync_to_thread=True)
    def revision(self, request: Request[Any, Any, Any], renderer: RendererDep,
                 migrations: MigrationsDep, revision_files: RevisionFilesDep, rev: FromPath[str]) -> Response[str]:
        detail = migrations.detail(rev, wait=sql_wait(request))
        return renderer.page(request, "migrations/revision.html", section="migrations",
                             title=f"Revision {rev}", detail=detail, author=revision_files.author(detail.path),
                             file_link=revision_files.link(detail.path))


def running_page(request: Request[Any, Any, Any], renderer: Renderer, exc: MigrationRunning) -> Response[str]:
    return renderer.page(request, "migrations/running.html", section="migrations",
                                 title="A migration is running", status_code=409, error=exc)


ROUTES: list[Any] = [MigrationsController]
