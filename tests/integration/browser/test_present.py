"""The rows HTML built in Python (web.table_rows) is the markup the per-cell Jinja loop wrote (since the
grid named alignment and the Edit links' htmx target once on the table: no per-cell class, no Open button;
since the Edit link carries its URL once, in href, with a bare hx-get)."""

from __future__ import annotations

import re

import pytest
from jinja2 import Environment, StrictUndefined

from pgadmin_py.browser.params import BrowseParams
from pgadmin_py.browser.service import Browser
from pgadmin_py.core.pk import encode_pk
from pgadmin_py.web.table_rows import rows_html
from pgadmin_py.web.urls import Urls

# The table body as templates/tables/table.html wrote it, cell by cell, before web.table_rows.
REFERENCE = """
{%- set t = page.table -%}
{% set numeric = page.columns|map(attribute="numeric")|list %}
{% set in_pk = page.columns|map(attribute="in_pk")|list %}
{% for row in page.rows %}
{% set row_url = urls.row_by_token(t.schema, t.name, row.pk_token) if row.pk_token is not none else "" %}
<tr>
{% if editable %}<td><input type="checkbox" name="pk" value="{{ row.pk_token }}" form="bulk-delete" aria-label="Select row {{ row.pk|join(', ') }}"></td>{% endif %}
{% for cell in row.cells %}{% set kind = cell.kind %}
<td>
{%- if kind == "plain" and not in_pk[loop.index0] %}{{ cell.value }}
{%- elif kind == "null" %}<span class="null">NULL</span>
{%- elif kind == "link" %}<a class="fk" href="{{ urls.row(cell.link.schema, cell.link.table, cell.link.pk) if cell.link.pk else urls.table_filtered(cell.link.schema, cell.link.table, cell.link.filters) }}">{{ cell.value }}</a>
{%- elif in_pk[loop.index0] and row_url %}<a class="pk" href="{{ row_url }}">{{ cell.value }}</a>
{%- elif kind == "long" %}<details class="cell-more"><summary>{{ cell.preview }}</summary><div class="cell-full">{{ cell.value }}
{%- if cell.cut %}<span class="faint"> … cut at 2,000 characters.</span>{% if row_url %} <a href="{{ row_url }}">Full value</a>{% endif %}{% endif -%}
</div></details>
{%- else %}{{ cell.value }}{% endif -%}
</td>
{% endfor %}
{% if page.keyset and editable %}{% set edit_url = urls.row_edit(t.schema, t.name, row.pk) %}
<td><a href="{{ edit_url }}" hx-get>Edit</a></td>
{% endif %}
</tr>
{% endfor %}
"""  # noqa: E501 - the template as it was, lines and all


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.usefixtures("odd_tables")
@pytest.mark.parametrize("name", ["parent", "child", "by_code", "child_view", "operations", "clients", "client_tags"])
@pytest.mark.parametrize("editable", [True, False])
def test_rows_html_is_the_per_cell_template_markup(browser: Browser, name: str, editable: bool) -> None:
    page = browser.browse(browser.describe("public", name), BrowseParams())
    assert page.rows and page.error is None
    editable = editable and page.readonly_reason is None  # as table.html decides
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    expected = env.from_string(REFERENCE).render(page=page, urls=Urls(), editable=editable)
    assert _squeeze(str(rows_html(page, Urls(), editable))) == _squeeze(expected)


@pytest.mark.parametrize("pk", [("1",), ("a", "b"), ("x/y", "1"), ("é,z",), ("~7E",), ("k 1", "<2>"), ("",)])
def test_edit_urls_by_token_match_core(pk: tuple[str, ...]) -> None:
    urls = Urls()
    assert urls.row_edit_by_token("public", "t", encode_pk(pk)) == urls.row_edit("public", "t", pk)
    before, after = urls.row_urls_by_token("public", "t")  # what rows_html concatenates
    assert before + encode_pk(pk) == urls.row("public", "t", pk)
    assert before + encode_pk(pk) + after == urls.row_edit("public", "t", pk)
