"""Routes of create / edit / delete of rows (owned by the records feature).

Thin handlers: parse the path (tilde-encoded names) and the form, make one call into
:class:`~pgadmin_py.records.Records`, render ``tables/form.html`` or ``tables/delete.html``. Opened
from the table page via htmx (target ``#record_modal``) the same URLs answer with a ``<dialog>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import ClientRedirect, TriggerEvent
from litestar.response import Redirect, Response

from pgadmin_py.core.errors import NotFound, ReadOnlyError
from pgadmin_py.core.pk import InvalidKey, encode_pk, tilde_decode
from pgadmin_py.records import Editor, Records
from pgadmin_py.records.versiontable import CONFIRM_FIELD, CONSEQUENCE, is_version_table
from pgadmin_py.web.flash import Flash, set_flash
from pgadmin_py.web.htmx import htmx_of, target_of, wants_fragment
from pgadmin_py.web.state import AppState, BrowserDep, RecordsDep, Runtime
from pgadmin_py.web.table_rows import cell_html
from pgadmin_py.web.urls import Urls

SECTION = "tables"
CELL_PATH = "/tables/{schema:str}/{table:str}/rows/{pk:str}/cells/{column:str}"
UPLOAD_SUFFIX = "__upload"
ROWS_DELETED = "rows-deleted"  # the client event a delete from a dialog triggers (static/js/records.js)
MAX_UPLOAD_BYTES = 8 * 1024 * 1024


class FormData(dict[str, list[str]]):
    """What WTForms wants from request data: ``getlist``."""

    def getlist(self, key: str) -> list[str]:
        return self.get(key, [])


def _names(schema: str, table: str) -> tuple[str, str]:
    try:
        return tilde_decode(schema), tilde_decode(table)
    except InvalidKey as exc:
        raise NotFound(str(exc), "Pick the table from the list of tables.") from None


async def _form_data(request: Request[Any, Any, Any]) -> FormData:
    """The posted fields; an uploaded file for ``f_x__upload`` becomes the hex text of ``f_x``."""
    raw = await request.form()
    data = FormData()
    for key, value in raw.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read(MAX_UPLOAD_BYTES + 1)
            if content and key.endswith(UPLOAD_SUFFIX):
                if len(content) > MAX_UPLOAD_BYTES:
                    content = b""
                    data.setdefault("_upload_too_large", []).append(key[: -len(UPLOAD_SUFFIX)])
                else:
                    data[key[: -len(UPLOAD_SUFFIX)]] = ["\\x" + content.hex()]
            continue
        if key.endswith(UPLOAD_SUFFIX):
            continue
        data.setdefault(key, []).append(str(value))
    return data


def _after_save(request: Request[Any, Any, Any], runtime: AppState, editor: Editor) -> Response[Any]:
    """Back to where the person came from (the table under the modal, else the saved row), saying what happened."""
    info = editor.info
    target = Urls().row(info.schema, info.name, editor.saved_key) if editor.saved_key else Urls().table(
        info.schema, info.name)  # a table without a key: its rows have no page
    response: Response[Any]
    if wants_fragment(request):
        current = urlsplit(htmx_of(request).current_url or "")
        if current.path.startswith("/tables/") and current.path != request.url.path:
            target = current.path + (f"?{current.query}" if current.query else "")
        response = ClientRedirect(target)
    else:
        response = Redirect(target, status_code=303)
    key = ", ".join(editor.saved_key or ())
    words = f"Row {key} created in {info.name}." if editor.is_new else f"Row {key} of {info.name} saved."
    if not editor.saved_key:
        words = f"Row created in {info.name} (it has no key, so it has no page of its own)."
    flash = Flash("success", words)
    if editor.unchanged:
        flash = Flash("info", f"Nothing changed: row {key} of {info.name} was left as it was.")
    return set_flash(response, runtime.cookie_secret, flash, secure=runtime.settings.cookie_secure)


def _render_form(request: Request[Any, Any, Any], runtime: AppState, editor: Editor, *, posted: bool) -> Response[str]:
    info = editor.info
    title = f"New row in {info.name}" if editor.is_new else f"Edit {info.name} ({', '.join(editor.key or ())})"
    failed = posted and (editor.form.has_errors or bool(editor.conflict))
    status = 200 if target_of(request) or not failed else (409 if editor.conflict else 422)
    return runtime.renderer.page(
        request, "tables/form.html", section=SECTION, title=title, status_code=status, editor=editor, info=info,
        form=editor.form, key_segment=encode_pk(editor.key) if editor.key else None, heading=title,
        confirm_field=CONFIRM_FIELD)


def _refuse_in_read_only(runtime: AppState) -> None:
    if runtime.settings.read_only:
        raise ReadOnlyError("Editing rows")


def _under_table(request: Request[Any, Any, Any]) -> str | None:
    """The table view (path and query) a dialog was opened over, else None."""
    current = urlsplit(htmx_of(request).current_url or "")
    if current.path.startswith("/tables/") and "/rows/" not in current.path:
        return current.path + (f"?{current.query}" if current.query else "")
    return None


def _back(request: Request[Any, Any, Any], names: tuple[str, str]) -> str:
    """Where a delete page leads back to: the table view under the modal, else the table."""
    return _under_table(request) or Urls().table(*names)


# GET handlers that share a path with a POST handler are async (a worker thread does the I/O): Litestar
# wraps a sync_to_thread handler twice when its path also has another method's handler.
@get("/tables/{schema:str}/{table:str}/new")
async def new_row(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep,
                  schema: FromPath[str], table: FromPath[str]) -> Response[str]:
    _refuse_in_read_only(runtime)
    names = _names(schema, table)
    editor = await anyio.to_thread.run_sync(lambda: records.new(*names))
    return _render_form(request, runtime, editor, posted=False)


@post("/tables/{schema:str}/{table:str}/new")
async def create_row(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep,
                     schema: FromPath[str], table: FromPath[str]) -> Response[Any]:
    data = await _form_data(request)
    return await _save(request, runtime, records, data, _names(schema, table), None)


@get("/tables/{schema:str}/{table:str}/rows/{pk:str}/edit")
async def edit_row(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, schema: FromPath[str],
                   table: FromPath[str], pk: FromPath[str]) -> Response[str]:
    _refuse_in_read_only(runtime)
    names = _names(schema, table)
    editor = await anyio.to_thread.run_sync(lambda: records.edit(*names, pk))
    return _render_form(request, runtime, editor, posted=False)


@post("/tables/{schema:str}/{table:str}/rows/{pk:str}/edit")
async def update_row(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, schema: FromPath[str],
                     table: FromPath[str], pk: FromPath[str]) -> Response[Any]:
    data = await _form_data(request)
    return await _save(request, runtime, records, data, _names(schema, table), pk)


async def _save(request: Request[Any, Any, Any], runtime: AppState, records: Records, data: FormData,
                names: tuple[str, str], pk: str | None) -> Response[Any]:
    version = (data.get("_version") or [""])[0]
    baseline = next(iter(data.get("_loaded", [])), None)

    confirmed = next(iter(data.get(CONFIRM_FIELD, [])), None)  # the version table's (records/versiontable.py)

    def run() -> Editor:
        if pk is None:
            return records.create(*names, data, confirmed=confirmed)
        return records.update(*names, pk, data, version, baseline, confirmed=confirmed)
    editor = await anyio.to_thread.run_sync(run)
    for column in data.get("_upload_too_large", []):
        editor.form.add_error(None, f"The file for {column} is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
    if editor.saved_key is not None and not editor.form.has_errors:
        return _after_save(request, runtime, editor)
    return _render_form(request, runtime, editor, posted=True)


def _column(column: str) -> str:
    try:
        return tilde_decode(column)
    except InvalidKey as exc:
        raise NotFound(str(exc), "Pick the cell from the table.") from None


def _render_cell(request: Request[Any, Any, Any], runtime: AppState, editor: Editor, column: str, *,
                 posted: bool) -> Response[str]:
    """The cell's editor: the ``cell`` block for htmx (swapped into the ``<td>``), else a page around it."""
    fragment = wants_fragment(request)
    failed = posted and (editor.form.has_errors or bool(editor.conflict))
    status = 200 if fragment or not failed else (409 if editor.conflict else 422)
    info = editor.info
    return runtime.renderer.page(
        request, "tables/cell.html", section=SECTION, title=f"{info.name}.{column}", status_code=status,
        block="cell" if fragment else None, editor=editor, info=info, form=editor.form, column=column)


@get(CELL_PATH)
async def edit_cell(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, schema: FromPath[str],
                    table: FromPath[str], pk: FromPath[str], column: FromPath[str]) -> Response[str]:
    """A cell's inline editor (the row's edit form, that one field): the table page swaps it into the cell."""
    _refuse_in_read_only(runtime)
    names, col = _names(schema, table), _column(column)
    editor = await anyio.to_thread.run_sync(lambda: records.edit_cell(*names, pk, col))
    return _render_cell(request, runtime, editor, col, posted=False)


@post(CELL_PATH)
async def save_cell(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, browser: BrowserDep,
                    schema: FromPath[str], table: FromPath[str], pk: FromPath[str],
                    column: FromPath[str]) -> Response[Any]:
    """Save one cell through the row's edit (one transaction, optimistic); answer with the cell as the table
    shows it, or the editor again with the error or the conflict."""
    _refuse_in_read_only(runtime)
    data, names, col = await _form_data(request), _names(schema, table), _column(column)
    version, baseline = (data.get("_version") or [""])[0], next(iter(data.get("_loaded", [])), None)
    editor = await anyio.to_thread.run_sync(lambda: records.update_cell(*names, pk, col, data, version, baseline))
    if editor.saved_key is None or editor.form.has_errors:
        return _render_cell(request, runtime, editor, col, posted=True)
    if not wants_fragment(request):
        return _after_save(request, runtime, editor)
    segment = encode_pk(editor.saved_key)
    view, cell = await anyio.to_thread.run_sync(lambda: browser.cell(browser.describe(*names), segment, col))
    return Response(cell_html(Urls(), names[0], names[1], segment, view, cell), status_code=200,
                    media_type=MediaType.HTML)


@post("/tables/{schema:str}/{table:str}/delete")
async def delete_rows(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep,
                      schema: FromPath[str], table: FromPath[str]) -> Response[str]:
    data, names = await _form_data(request), _names(schema, table)
    segments, confirmed = data.get("pk", []), bool(data.get("confirm"))
    if confirmed:
        result = await anyio.to_thread.run_sync(lambda: records.delete(*names, segments))
        body = runtime.renderer.render(request, "tables/delete.html", section=SECTION,
                                       title=f"Deleted from {names[1]}", plan=None, result=result, info=result.info,
                                       segments=segments, back=_back(request, names),
                                       under_table=_under_table(request) is not None)
        if wants_fragment(request):  # a dialog over the table: the table refreshes itself (static/js/records.js)
            return TriggerEvent(body, name=ROWS_DELETED, after="receive", media_type=MediaType.HTML, status_code=200)
        return Response(body, media_type=MediaType.HTML, status_code=200)
    plan = await anyio.to_thread.run_sync(lambda: records.delete_plan(*names, segments))
    version_warning = CONSEQUENCE if is_version_table(plan.info) else None
    return runtime.renderer.page(request, "tables/delete.html", section=SECTION, title=f"Delete from {names[1]}?",
                                 plan=plan, result=None, info=plan.info, segments=segments, back=_back(request, names),
                                 version_warning=version_warning)


@post("/tables/{schema:str}/{table:str}/refresh")
async def refresh_view(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, browser: BrowserDep,
                       schema: FromPath[str], table: FromPath[str]) -> Response[Any]:
    """REFRESH MATERIALIZED VIEW, then back to the view's page, which says how it went."""
    if runtime.settings.read_only:
        raise ReadOnlyError("Refreshing a materialized view")
    names = _names(schema, table)
    done = await anyio.to_thread.run_sync(lambda: records.refresh(*names))
    browser.forget(*names)  # its description says whether it is populated
    target = Urls().table(*names)
    response: Response[Any] = ClientRedirect(target) if wants_fragment(request) else Redirect(target, status_code=303)
    return set_flash(response, runtime.cookie_secret, Flash("success", done.message),
                     secure=runtime.settings.cookie_secure)


@get("/tables/{schema:str}/{table:str}/fk/{column:str}", sync_to_thread=True)
def fk_search(request: Request[Any, Any, Any], runtime: Runtime, records: RecordsDep, schema: FromPath[str],
              table: FromPath[str], column: FromPath[str], q: FromQuery[str] = "") -> Response[str]:
    try:
        col = tilde_decode(column)
    except InvalidKey as exc:
        raise NotFound(str(exc), None) from None
    found = records.fk_search(*_names(schema, table), col, q)
    return runtime.renderer.page(request, "tables/_fk_results.html", section=SECTION, title="", block=None,
                                 found=found)


ROUTES: list[Any] = [new_row, create_row, edit_row, update_row, edit_cell, save_cell, delete_rows, refresh_view,
                     fk_search]
