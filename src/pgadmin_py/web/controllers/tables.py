"""Routes of the tables section: the relation list, a table's rows, one row, the count and the export.

Schema, table and key segments are tilde-encoded (core/pk.py). A filter form sends ``_fc/_fo/_fv``
triples; the answer carries the canonical URL (a redirect, or ``HX-Push-Url`` for htmx) so the
address bar always shows the one URL of the view.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, get
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.plugins.htmx import PushUrl
from litestar.response import Redirect, Response, Stream

from pgadmin_py.browser.params import PAGE_SIZES, BrowseParams
from pgadmin_py.browser.service import Browser, Described
from pgadmin_py.catalog.overview import human_size
from pgadmin_py.core.errors import NotFound
from pgadmin_py.core.pk import InvalidKey, tilde_decode
from pgadmin_py.web.htmx import target_of
from pgadmin_py.web.state import BrowserDep, Runtime
from pgadmin_py.web.timing import timed
from pgadmin_py.web.urls import Urls

SECTION = "tables"
TABLE_PATH = "/tables/{schema:str}/{table:str}"


def _describe(browser: Browser, schema: str, table: str) -> Described:
    try:
        schema_name, table_name = tilde_decode(schema), tilde_decode(table)
    except InvalidKey as exc:
        raise NotFound(f"The address names no table: {exc}.", "Pick a table from the list of tables.") from None
    if "\x00" in schema_name + table_name:
        raise NotFound("A table name cannot contain a NUL character.", "Pick a table from the list of tables.")
    return browser.describe(schema_name, table_name)


def _params(request: Request[Any, Any, Any]) -> BrowseParams:
    return BrowseParams.from_query(request.query_params.multi_items())


@get("/tables", sync_to_thread=True)
def list_tables(request: Request[Any, Any, Any], runtime: Runtime, browser: BrowserDep) -> Response[str]:
    search = request.query_params.get("q", "")[:200]
    with timed("data"):
        relations = browser.relations(search)
    return runtime.renderer.page(request, "tables/list.html", section=SECTION, title="Tables",
                                 relations=relations, search=search, human_size=human_size)


@get(TABLE_PATH, sync_to_thread=True)
def browse_table(request: Request[Any, Any, Any], runtime: Runtime, browser: BrowserDep,
                 schema: FromPath[str], table: FromPath[str]) -> Response[str]:
    described = _describe(browser, schema, table)
    params = _params(request)
    info = described.table
    if params.from_form and target_of(request) is None:
        return Redirect(Urls().browse(info.schema, info.name, params))
    with timed("data"):
        page = browser.browse(described, params)
    body = runtime.renderer.render(request, "tables/table.html", section=SECTION, title=f"{info.schema}.{info.name}",
                                   page=page, page_sizes=PAGE_SIZES, human_size=human_size)
    if params.from_form:
        return PushUrl(body, push_url=Urls().browse(info.schema, info.name, params), media_type=MediaType.HTML)
    return Response(body, media_type=MediaType.HTML)


@get(f"{TABLE_PATH}/count", sync_to_thread=True)
def count_rows(request: Request[Any, Any, Any], runtime: Runtime, browser: BrowserDep,
               schema: FromPath[str], table: FromPath[str]) -> Response[str]:
    """The "count exactly" action; without htmx it is the table page with ``_count=exact``."""
    described = _describe(browser, schema, table)
    params = _params(request)
    info = described.table
    if target_of(request) is None:
        return Redirect(Urls().browse(info.schema, info.name, params.exact_count()))
    count = browser.count(described, params)
    body = runtime.renderer.render(request, "tables/_browse_count.html", section=SECTION, title=info.name,
                                   block=None, count=count, count_url=None)
    return Response(body, media_type=MediaType.HTML)


@get(f"{TABLE_PATH}/rows/{{pk:str}}", sync_to_thread=True)
def show_row(request: Request[Any, Any, Any], runtime: Runtime, browser: BrowserDep, schema: FromPath[str],
             table: FromPath[str], pk: FromPath[str]) -> Response[str]:
    described = _describe(browser, schema, table)
    row = browser.row(described, pk)
    info = described.table
    return runtime.renderer.page(request, "tables/row.html", section=SECTION,
                                 title=f"{info.name} {', '.join(row.pk)}", row=row)


@get(f"{TABLE_PATH}/export/{{fmt:str}}", sync_to_thread=True)
def export_rows(request: Request[Any, Any, Any], browser: BrowserDep, schema: FromPath[str], table: FromPath[str],
                fmt: FromPath[str]) -> Stream:
    described = _describe(browser, schema, table)
    export = browser.export(described, _params(request), fmt)
    ascii_name = export.filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(export.filename, safe='')}"
    return Stream(export.chunks, media_type=export.media_type,
                  headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


ROUTES: list[Any] = [list_tables, browse_table, count_rows, show_row, export_rows]
