"""The rows of a data-browser page as ready HTML, built in one Python pass (a Jinja global).

A page has 100 rows of maybe 10 columns: a Jinja loop per cell (a loop object, attribute lookups,
a branch per cell kind, an escape per output) cost more than the query itself. Here the per-column
facts (alignment, key column, link target) are decided once per page, each cell is escaped once,
and the template only loops over rows. URLs still come from web/urls.py: the template hands its
URL builder in (:class:`RowUrls`), this module never spells a path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup, escape

from pgadmin_py.browser.model import CELL_PREVIEW
from pgadmin_py.browser.query import CELL_CHARS
from pgadmin_py.core.pk import encode_pk

if TYPE_CHECKING:
    from pgadmin_py.browser.model import BrowsePage, Cell, ColumnView, Link

_NULL = '<span class="null">NULL</span>'
_CUT_NOTE = '<span class="faint"> … cut at 2,000 characters.</span>'


class RowUrls(Protocol):
    """The part of web.urls.Urls the rows need."""

    def row_by_token(self, schema: str, name: str, pk_token: str) -> str: ...

    def row_urls_by_token(self, schema: str, name: str) -> tuple[str, str]: ...

    def table_filtered(self, schema: str, name: str,
                       pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str: ...


def rows_html(page: BrowsePage, urls: RowUrls, editable: bool) -> Markup:
    """Every ``<tr>`` of the page's table body; ``editable`` adds the delete checkboxes and Edit links.

    Per row: [checkbox] cells [Edit (editable keyset pages)]. Per cell, in this order: NULL marker;
    FK link to the referenced row (or filtered table); link to the row for key columns (the row's
    "Open"); a ``<details>`` preview for long or multi-line values (with a note when the server cut it);
    the text. Nothing per cell or per row repeats what the table says once: alignment is the table's
    ``data-r`` (numbered columns, static/css/grid.css), the Edit links' hx-target and hx-push-url are
    the ``<tbody>``'s (htmx inheritance), an Edit link's empty ``hx-get`` takes its ``href`` (static/js/grid.js),
    an inline edit finds its URL from the header and the row's key.
    """
    table = page.table
    schema, name = table.schema, table.name
    in_pk = [c.in_pk for c in page.columns]
    width = len(page.columns)
    keyset = page.keyset
    # One escape for the whole page: values joined by NUL (PostgreSQL text never holds one), then split.
    flat: list[str] = []
    base, edit = urls.row_urls_by_token(schema, name)
    for row in page.rows:
        token = row.pk_token
        if token is not None:
            url = base + token
            flat.extend((token, ", ".join(row.pk) if row.pk is not None else "", url, url + edit))
        else:
            flat.extend(("", "", "", ""))
        flat.extend([v if v is not None else "" for v in row.values])
    escaped = str(escape("\x00".join(flat))).split("\x00")
    link_cache: dict[Link, str] = {}
    pk_at = [i for i, k in enumerate(in_pk) if k]
    out: list[str] = []
    append = out.append
    at = 0
    stride = 4 + width
    for row in page.rows:
        token, label, url, edit_url = escaped[at:at + 4]
        tds = escaped[at + 4:at + stride]  # the cells' text; the loops below replace what is more than text
        at += stride
        cut = row.cut
        for i, v in enumerate(row.values):
            if v is None:
                tds[i] = _NULL
            elif len(v) > CELL_PREVIEW or "\n" in v or i in cut:
                tds[i] = _long(v, tds[i], i in cut, url)
        links = row.links
        if links is not None:
            for i, link in enumerate(links):
                if link is not None:
                    href = link_cache.get(link)
                    if href is None:
                        href = link_cache[link] = str(escape(_link_url(urls, link)))
                    tds[i] = f'<a class="fk" href="{href}">{escaped[at - width + i]}</a>'
        if url:
            for i in pk_at:
                if row.values[i] is not None and (links is None or links[i] is None):
                    tds[i] = f'<a class="pk" href="{url}">{escaped[at - width + i]}</a>'
        if editable:
            append(f'<tr><td><input type="checkbox" name="pk" value="{token}" form="bulk-delete" '
                   f'aria-label="Select row {label}"></td><td>')
        else:
            append("<tr><td>")
        append("</td><td>".join(tds))
        if keyset and editable:
            append(f'</td><td><a href="{edit_url}" hx-get>Edit</a></td></tr>\n')
        else:
            append("</td></tr>\n")
    return Markup("".join(out))  # noqa: S704 - every value above went through escape()


def cell_html(urls: RowUrls, schema: str, name: str, pk_token: str, view: ColumnView, cell: Cell) -> Markup:
    """The inside of one ``<td>`` as :func:`rows_html` writes it (an inline edit's answer), from the row page's
    full value: cut at ``query.CELL_CHARS`` as a page would fetch it."""
    value = cell.value
    url = urls.row_by_token(schema, name, pk_token)
    if value is None:
        return Markup(_NULL)  # noqa: S704 - a constant
    escaped = str(escape(value[:CELL_CHARS]))
    if cell.link is not None:
        return Markup(f'<a class="fk" href="{escape(_link_url(urls, cell.link))}">{escaped}</a>')  # noqa: S704
    if view.in_pk:
        return Markup(f'<a class="pk" href="{escape(url)}">{escaped}</a>')  # noqa: S704 - escaped
    cut = len(value) > CELL_CHARS
    if cut or len(value) > CELL_PREVIEW or "\n" in value:
        return Markup(_long(value[:CELL_CHARS], escaped, cut, str(escape(url))))  # noqa: S704 - escaped
    return Markup(escaped)  # noqa: S704 - escaped


def _link_url(urls: RowUrls, link: Link) -> str:
    if link.pk:
        return urls.row_by_token(link.schema, link.table, encode_pk(link.pk))
    return urls.table_filtered(link.schema, link.table, link.filters)


def _long(value: str, escaped: str, cut: bool, row_url: str) -> str:
    text = value.replace("\n", " ")
    preview = text[:CELL_PREVIEW] + ("…" if len(text) > CELL_PREVIEW or cut else "")
    more = ""
    if cut:
        more = _CUT_NOTE + (f' <a href="{row_url}">Full value</a>' if row_url else "")
    return (f'<details class="cell-more"><summary>{escape(preview)}</summary>'
            f'<div class="cell-full">{escaped}{more}</div></details>')
