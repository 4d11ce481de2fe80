"""The memoized chrome of a table page (web/fragments.py, web/table_head.py) is what a fresh render writes.

One environment renders a run of views of several tables, its memo filling as it goes (the same table
under other filters, sorts and positions; read-only and editable); for every page the HTML must equal a
render with nothing memoized. A memo key that missed an input would show the previous view's chrome.
"""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import Environment

from pgadmin_py.browser.params import PAGE_SIZES, BrowseParams
from pgadmin_py.browser.service import Browser
from pgadmin_py.catalog.overview import human_size
from pgadmin_py.web.app import resource_dir
from pgadmin_py.web.fragments import Fragments
from pgadmin_py.web.render import AppInfo, build_environment
from pgadmin_py.web.table_head import head_html

VIEWS: list[tuple[str, list[tuple[str, str]]]] = [
    ("operations", []),
    ("operations", [("_sort", "price")]),
    ("operations", [("_sort", "price"), ("_desc", "1")]),
    ("operations", [("_size", "25")]),
    ("operations", [("_size", "25"), ("_count", "exact")]),
    ("operations", [("price__gte", "10")]),
    ("operations", [("quantity__gte", "not a number")]),  # a filter problem shown in its chip
    ("operations", [("quantity__gte", "not a number"), ("price__lte", "5")]),
    ("operations", [("quantity__gte", "5"), ("_sort", "executed_at")]),
    ("operations", []),
    ("clients", []),
    ("clients", [("_q", "a")]),
    ("client_tags", []),
    ("parent", []),
    ("parent", [("_sort", "v")]),
    ("child", [("b__isnull", "")]),
    ("by_code", []),
    ("child_view", []),  # read-only: a view
    ("child_view", [("_sort", "note"), ("_desc", "1")]),
    ("parent", []),
]


def _fresh() -> Environment:
    fresh = build_environment(resource_dir("templates"))
    fresh.globals["fragment"] = Fragments(fresh).render  # every fragment rendered anew
    fresh.globals["table_head_html"] = head_html  # unmemoized
    return fresh


def _page_html(env: Environment, browser: Browser, name: str, pairs: list[tuple[str, str]],
               read_only: bool, position: str | None) -> str:
    described = browser.describe("public", name)
    params = BrowseParams.from_query([*pairs, *([("_after", position)] if position else [])])
    page = browser.browse(described, params)
    app = AppInfo("test", read_only, False, "db", "project")
    csrf_input = '<input type="hidden" name="_csrf_token" value="t0ken">'
    context: dict[str, Any] = {
        "request": None, "app": app, "csrf_token": lambda: "t0ken", "csrf_input": csrf_input,
        "active_section": "tables", "page_title": name, "title": name, "nav": lambda: "", "flashes": [],
        "page": page, "page_sizes": PAGE_SIZES, "human_size": human_size,
    }
    return env.get_template("tables/table.html").render(context)


@pytest.mark.usefixtures("odd_tables")
def test_memoized_chrome_equals_a_fresh_render(browser: Browser) -> None:
    memo = build_environment(resource_dir("templates"))
    fresh = _fresh()
    checked = 0
    for read_only in (False, True):
        for name, pairs in VIEWS:
            first = browser.browse(browser.describe("public", name), BrowseParams.from_query(pairs))
            positions = [None, first.next_cursor] if first.has_next and first.next_cursor else [None]
            for position in positions:
                got = _page_html(memo, browser, name, pairs, read_only, position)
                assert got == _page_html(fresh, browser, name, pairs, read_only, position), (name, pairs, position)
                checked += 1
    assert checked >= 2 * len(VIEWS)
    assert memo.globals["table_head_html"].memo.hits > 0  # the memo did serve pages (not only fill)


def test_chrome_shows_each_views_own_state(browser: Browser) -> None:
    """The same table under two sorts: each page's header marks its own sort (a stale memo would not)."""
    memo = build_environment(resource_dir("templates"))
    by_amount = _page_html(memo, browser, "operations", [("_sort", "price")], False, None)
    by_amount_desc = _page_html(memo, browser, "operations", [("_sort", "price"), ("_desc", "1")], False, None)
    assert 'aria-sort="ascending"' in by_amount and 'aria-sort="descending"' not in by_amount
    assert 'aria-sort="descending"' in by_amount_desc and 'aria-sort="ascending"' not in by_amount_desc
    assert 'name="_desc" value="1"' in by_amount_desc and 'name="_desc"' not in by_amount
