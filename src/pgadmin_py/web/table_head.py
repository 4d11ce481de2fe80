"""The column header row of a data-browser page as ready HTML (a Jinja global, like table_rows).

Per column: sort link (URL from web/urls.py), sort direction, PK/FK mark and type, and a title with
nullability, default and FK target. A Jinja loop here cost as much as the page's query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup, escape

from pgadmin_py.core.cache import BoundedCache

if TYPE_CHECKING:
    from pgadmin_py.browser.model import ColumnView
    from pgadmin_py.browser.params import BrowseParams

_SELECT_ALL = '<th class="sel"><input type="checkbox" data-select-all aria-label="Select all rows on this page"></th>'
_ACTIONS = '<th class="actions"><span class="sr-only">Actions</span></th>'


class HeadUrls(Protocol):
    """The part of web.urls.Urls the header needs."""

    def browse(self, schema: str, name: str, params: object) -> str: ...

    def cell_suffix(self, column: str) -> str: ...


def _static_parts(columns: tuple[ColumnView, ...]) -> list[tuple[str, str, str]]:
    """Per column, escaped: the title (type, nullability, default, FK target), the name, the type line."""
    parts = []
    for c in columns:
        col = c.column
        title = col.type_name + ("" if col.nullable else " not null")
        if col.default:
            title += f" default {col.default}"
        if c.fk is not None:
            title += f" → {c.fk.ref_table}.{', '.join(c.fk.ref_columns)}"
        mark = ('<span class="key-mark" title="primary key">PK</span> ' if c.in_pk else
                '<span class="key-mark fk-mark" title="foreign key">FK</span> ' if c.fk is not None else "")
        parts.append((str(escape(title)), str(escape(c.name)),
                      f'<span class="col-type">{mark}{escape(col.type_name)}</span>'))
    return parts


def head_html(urls: HeadUrls, schema: str, table: str, columns: tuple[ColumnView, ...], params: BrowseParams,
              editable: bool, keyset: bool) -> Markup:
    """The ``<tr>`` of ``<th>``: [select-all] one per column [actions (editable keyset pages)].

    On an editable keyset page, each column a person can change in place (not a key, not generated)
    carries ``data-cell``: what follows a row's URL to address its cell (static/js/grid.js). Pure;
    :class:`TableHeads` memoizes it. ``params`` should be the view's first page (its position does not
    change the header).
    """
    inline = editable and keyset
    out = ["<tr>", _SELECT_ALL if editable else ""]
    for c, (title, name, type_span) in zip(columns, _static_parts(columns), strict=True):
        sorted_here = params.sort == c.name
        classes = ("num" if c.numeric else "") + (" is-sorted" if sorted_here else "")
        direction = "descending" if params.desc else "ascending"
        aria = f' aria-sort="{direction}"' if sorted_here else ""
        cell = (f' data-cell="{escape(urls.cell_suffix(c.name))}"' if inline and not c.in_pk and c.column.writable
                else "")
        out.append(f'<th class="{classes}" scope="col"{aria}{cell} data-name="{name}" title="{title}">')
        if c.sortable:
            href = escape(urls.browse(schema, table, params.sorted_by(c.name)))
            arrow = (f'<span class="sort-dir" aria-label="{direction}">{"▼" if params.desc else "▲"}</span>'
                     if sorted_here else "")
            out.append(f'<a class="sort" href="{href}" hx-get="{href}" data-testid="sort-{name}">{name}{arrow}</a>')
        else:
            out.append(name)
        out.append(type_span)
        out.append("</th>")
    if inline:
        out.append(_ACTIONS)
    out.append("</tr>")
    return Markup("".join(out))  # noqa: S704 - every value above went through escape()



def table_attrs(columns: tuple[ColumnView, ...], editable: bool, keyset: bool) -> Markup:
    """The ``<table>``'s classes and ``data-r``: the cell positions (1-based, as ``:nth-child``) of the
    right-aligned columns, named once for the whole table instead of a class on each of its cells."""
    offset = 1 if editable else 0
    right = " ".join(str(i + 1 + offset) for i, c in enumerate(columns) if c.numeric)
    classes = "data-table browse-table" + (" has-sel" if editable else "") + (
        " key-first" if columns and columns[0].in_pk else "") + (" has-actions" if editable and keyset else "")
    return Markup(f'class="{classes}" data-r="{right}"')  # noqa: S704 - numbers and constants


class TableHeads:
    """:func:`head_html` memoized on its arguments (all hashable, immutable): paging through a view repeats
    the same header. One per Jinja environment (the Jinja global ``table_head_html``)."""

    def __init__(self, size: int = 1024) -> None:
        self.memo: BoundedCache[tuple[object, ...], Markup] = BoundedCache(size)

    def __call__(self, urls: HeadUrls, schema: str, table: str, columns: tuple[ColumnView, ...],
                 params: BrowseParams, editable: bool, keyset: bool) -> Markup:
        key = (urls, schema, table, columns, params, editable, keyset)
        return self.memo.get_or_build(key, lambda: head_html(urls, schema, table, columns, params, editable, keyset))
