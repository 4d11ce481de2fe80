"""Routes of the SQL console: editor page, run / explain / cancel, result pages and CSV, history and saved
queries. Each handler parses the request, makes one console call and renders."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response

from pgadmin_py.console.errors import ConsoleError
from pgadmin_py.console.explain import ExplainBatch
from pgadmin_py.console.library import HistoryEntry, SavedQuery
from pgadmin_py.console.model import Batch, Confirmation, ConsoleLimits
from pgadmin_py.console.params import MAX_QUERY_CHARS, TRUTHY, ConsoleParams, parse_run_form
from pgadmin_py.console.service import Console
from pgadmin_py.web.htmx import htmx_of, swap_into, wants_fragment
from pgadmin_py.web.render import Renderer
from pgadmin_py.web.state import ConsoleDep, RendererDep
from pgadmin_py.web.urls import Urls

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
TEMPLATE = "console/sql.html"


@dataclass(frozen=True, slots=True)
class ConsolePage:
    """Everything console/sql.html shows."""

    params: ConsoleParams
    sql: str
    limits: ConsoleLimits
    history: list[HistoryEntry]
    saved: list[SavedQuery]
    run_id: str = field(default_factory=lambda: secrets.token_hex(12))
    outcome: Batch | Confirmation | ExplainBatch | None = None
    allow_writes: bool = False
    loaded_from: HistoryEntry | SavedQuery | None = None
    oob_library: bool = False
    format_error: ConsoleError | None = None  # the Format button without JavaScript, on text that does not parse

    @property
    def outcome_kind(self) -> str:
        """Which partial shows the outcome: none | confirm | explain | batch."""
        if isinstance(self.outcome, Confirmation):
            return "confirm"
        if isinstance(self.outcome, ExplainBatch):
            return "explain"
        return "batch" if isinstance(self.outcome, Batch) else "none"


def _page(request: Request[Any, Any, Any], renderer: Renderer, console: Console, page: ConsolePage,
          status_code: int = 200) -> Response[str]:
    return renderer.page(request, TEMPLATE, section="sql", title="SQL console", page=page,
                         highlight=console.highlight, status_code=status_code)


def _full_load(request: Request[Any, Any, Any]) -> ClientRedirect | None:
    """A boosted navigation swaps only <body>, so the console's CSS and JS (in <head>) would be missing:
    ask htmx for a normal page load of the same URL instead."""
    if not htmx_of(request).boosted:
        return None
    query = request.url.query
    return ClientRedirect(request.url.path + (f"?{query}" if query else ""))


def _lists(console: Console, search: str) -> tuple[list[HistoryEntry], list[SavedQuery]]:
    return console.history(search), console.saved(search)


class SqlController(Controller):
    path = "/sql"

    @get("/", sync_to_thread=True)
    def editor(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep) -> Response[Any]:
        if redirect := _full_load(request):
            return redirect
        params = ConsoleParams.parse(dict(request.query_params))
        history, saved = _lists(console, params.search)
        return _page(request, renderer, console, ConsolePage(params, params.q, console.limits, history, saved))

    @post("/run", sync_to_thread=True, status_code=200, opt={"read_only_safe": True})
    def run(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
            data: FormData) -> Response[str]:
        """Read-only safe: without "allow writes" the batch runs in a READ ONLY transaction, and
        "allow writes" is refused by the console itself in read-only mode."""
        action, run_request = parse_run_form(data)
        outcome: Batch | Confirmation | ExplainBatch
        if action == "run":
            outcome = console.run(run_request)
        else:
            outcome = console.explain(run_request, analyze=action == "analyze")
        is_htmx = wants_fragment(request)
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(), run_request.sql, console.limits, history, saved, outcome=outcome,
                           allow_writes=run_request.allow_writes, oob_library=is_htmx)
        return _page(request, renderer, console, page)

    @post("/format", sync_to_thread=True, status_code=200, opt={"read_only_safe": True})
    def format(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
               data: FormData) -> Response[Any]:
        """Read-only safe: formatting reads the text only. The editor asks for JSON; the Format button
        without JavaScript gets the console page with the formatted text."""
        sql = (data.get("sql") or "")[:MAX_QUERY_CHARS]
        try:
            formatted, error = console.format(sql), None
        except ConsoleError as exc:
            formatted, error = sql, exc
        if "application/json" in request.headers.get("accept", ""):
            body = {"sql": formatted} if error is None else {"error": error.detail, "hint": error.hint}
            return Response(body, media_type=MediaType.JSON, status_code=200 if error is None else 422)
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(), formatted, console.limits, history, saved, format_error=error,
                           allow_writes=(data.get("allow_writes") or "") in TRUTHY)
        return _page(request, renderer, console, page)

    @get("/completions", sync_to_thread=True)
    def completions(self, request: Request[Any, Any, Any], console: ConsoleDep) -> Response[Any]:
        """The names the editor completes. ``no-cache`` + ETag: the browser keeps the document and asks
        "changed?" (a 304 while the database's names are the same)."""
        version = console.completions.version()
        etag = f'"{version}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(b"", status_code=304, headers=headers)
        return Response(console.completions.document(version), media_type=MediaType.JSON, headers=headers)

    @post("/cancel", sync_to_thread=True, status_code=200, opt={"read_only_safe": True})
    def cancel(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
               data: FormData) -> Response[Any]:
        """Read-only safe: ``pg_cancel_backend`` of our own run's backend writes nothing."""
        cancelled = console.cancel(data.get("run_id", "")[:64])
        if not wants_fragment(request):
            return Redirect(Urls().sql_query())
        message = "Cancelling the query…" if cancelled else "No query of this page is running."
        body = renderer.render(request, "errors/flash.html", section="sql", title="SQL console",
                                       block=None, level="info" if cancelled else "warning", message=message,
                                       hint=None)
        return swap_into(body, "#flash", "beforeend")

    @get("/history/{entry_id:int}", sync_to_thread=True)
    def history_entry(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
                      entry_id: FromPath[int]) -> Response[Any]:
        if redirect := _full_load(request):
            return redirect
        entry = console.history_entry(entry_id)
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(q=entry.sql), entry.sql, console.limits, history, saved, loaded_from=entry)
        return _page(request, renderer, console, page)

    @get("/saved/{saved_id:int}", sync_to_thread=True)
    def saved_query(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
                    saved_id: FromPath[int]) -> Response[Any]:
        if redirect := _full_load(request):
            return redirect
        query = console.saved_query(saved_id)
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(q=query.sql), query.sql, console.limits, history, saved, loaded_from=query)
        return _page(request, renderer, console, page)

    @post("/saved", sync_to_thread=True, status_code=200, opt={"read_only_safe": True})
    def save(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
             data: FormData) -> Response[Any]:
        """Read-only safe: saved queries live in the app's own SQLite file, not in the database."""
        query = console.save(data.get("name", ""), data.get("sql", ""))
        if not wants_fragment(request):
            return Redirect(Urls().sql_saved(query.id))
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(), query.sql, console.limits, history, saved)
        body = renderer.render(request, TEMPLATE, section="sql", title="SQL console", block="library",
                                       page=page, highlight=console.highlight)
        flash = renderer.render(request, "console/_saved_flash.html", section="sql", title="SQL console",
                                        block=None, query=query)
        return swap_into(body + flash, "#library", "innerHTML")

    @post("/saved/{saved_id:int}/delete", sync_to_thread=True, status_code=200, opt={"read_only_safe": True})
    def delete_saved(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
                     saved_id: FromPath[int]) -> Response[Any]:
        """Read-only safe: saved queries live in the app's own SQLite file, not in the database."""
        console.delete_saved(saved_id)
        if not wants_fragment(request):
            return Redirect(Urls().sql_query())
        history, saved = _lists(console, "")
        page = ConsolePage(ConsoleParams(), "", console.limits, history, saved)
        body = renderer.render(request, TEMPLATE, section="sql", title="SQL console", block="library",
                                       page=page, highlight=console.highlight)
        return swap_into(body, "#library", "innerHTML")

    @get("/results/{batch_id:str}/{index:int}", sync_to_thread=True)
    def result_page(self, request: Request[Any, Any, Any], renderer: RendererDep, console: ConsoleDep,
                    batch_id: FromPath[str], index: FromPath[int],
                    page: FromQuery[int] = 1) -> Response[Any]:
        if redirect := _full_load(request):
            return redirect
        batch, result = console.result_set(batch_id, index)
        number = max(1, min(page, result.page_count(console.limits.page_size)))
        values: dict[str, Any] = {"batch": batch, "result": result, "page_number": number,
                                  "limits": console.limits, "highlight": console.highlight}
        if wants_fragment(request):
            body = renderer.render(request, "console/_result_set.html", section="sql", title="SQL console",
                                           block=None, **values)
            return Response(body, media_type=MediaType.HTML)
        return renderer.page(request, "console/result.html", section="sql",
                                     title=f"Result {index + 1}", **values)

    @get("/results/{batch_id:str}/{index:int}/csv", sync_to_thread=True)
    def result_csv(self, console: ConsoleDep, batch_id: FromPath[str], index: FromPath[int]) -> Response[str]:
        body = console.csv(batch_id, index)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="result-{index + 1}.csv"'})


ROUTES: list[Any] = [SqlController]
