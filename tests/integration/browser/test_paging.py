"""Keyset pages equal OFFSET pages over the whole demo ``operations`` table, in every order, both ways."""

from __future__ import annotations

import psycopg
import pytest

from pgadmin_py.browser.params import BrowseParams
from pgadmin_py.browser.service import Browser

SIZE = 237  # odd on purpose: page boundaries fall inside runs of equal values and across the NULLs


def walk_forward(browser: Browser, params: BrowseParams) -> list[list[str]]:
    described = browser.describe("public", "operations")
    pages: list[list[str]] = []
    page = browser.browse(described, params)
    assert not page.has_prev
    while True:
        pages.append([r.pk[0] for r in page.rows if r.pk])
        if not page.has_next:
            return pages
        assert page.next_cursor
        page = browser.browse(described, params.after_cursor(page.next_cursor))
        assert page.has_prev


def walk_backward(browser: Browser, params: BrowseParams) -> list[list[str]]:
    described = browser.describe("public", "operations")
    pages: list[list[str]] = []
    page = browser.browse(described, params.last_page())
    assert not page.has_next
    while True:
        pages.append([r.pk[0] for r in page.rows if r.pk])
        if not page.has_prev:
            return list(reversed(pages))
        assert page.prev_cursor
        page = browser.browse(described, params.before_cursor(page.prev_cursor))


def offset_ids(pg: psycopg.Connection[tuple[object, ...]], order_sql: str) -> list[str]:
    return [str(r[0]) for r in pg.execute(f"select id from operations order by {order_sql}").fetchall()]


@pytest.fixture
def with_memo(pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """A nullable, non-unique text column: a third NULL, the rest five distinct values."""
    pg.execute("alter table operations add column memo text")
    pg.execute("update operations set memo = case when id % 3 = 0 then null else 'm' || (id % 5) end")


CASES = [
    (BrowseParams(size=SIZE), "id asc"),
    (BrowseParams(size=SIZE, sort="id", desc=True), "id desc"),
    (BrowseParams(size=SIZE, sort="quantity"), "quantity asc, id asc"),
    (BrowseParams(size=SIZE, sort="side", desc=True), "side desc, id desc"),
    (BrowseParams(size=SIZE, sort="executed_at"), "executed_at asc, id asc"),
    (BrowseParams(size=SIZE, sort="memo"), "memo asc nulls last, id asc"),
    (BrowseParams(size=SIZE, sort="memo", desc=True), "memo desc nulls first, id desc"),
]


@pytest.mark.usefixtures("with_memo")
@pytest.mark.parametrize(("params", "order_sql"), CASES, ids=[c[1] for c in CASES])
def test_keyset_pages_equal_offset_pages(browser: Browser, pg: psycopg.Connection[tuple[object, ...]],
                                         params: BrowseParams, order_sql: str) -> None:
    expected = offset_ids(pg, order_sql)
    assert len(expected) == pg.execute("select count(*) from operations").fetchone()[0] > 4000  # type: ignore[index]
    forward = walk_forward(browser, params)
    offset_pages = [expected[i:i + SIZE] for i in range(0, len(expected), SIZE)]
    assert forward == offset_pages
    backward = walk_backward(browser, params)
    # Walking back, every page is full; the last step lands on the real first page (overlapping its successor).
    assert backward[0] == expected[:SIZE]
    tail = [i for p in backward[1:] for i in p]
    assert tail == expected[len(expected) - len(tail):]
    assert len(tail) + SIZE >= len(expected) and all(len(p) == SIZE for p in backward)


def test_prev_from_the_second_page_is_the_full_first_page(browser: Browser) -> None:
    described = browser.describe("public", "operations")
    params = BrowseParams(size=50)
    first = browser.browse(described, params)
    second = browser.browse(described, params.after_cursor(first.next_cursor or ""))
    back = browser.browse(described, params.before_cursor(second.prev_cursor or ""))
    assert [r.pk for r in back.rows] == [r.pk for r in first.rows]
    assert not back.has_prev and back.has_next


def test_table_without_primary_key_pages_with_offset(browser: Browser,
                                                     pg: psycopg.Connection[tuple[object, ...]]) -> None:
    pg.execute("create table heap as select g as n, 'v' || g as label from generate_series(1, 250) g")
    described = browser.describe("public", "heap")
    page = browser.browse(described, BrowseParams(size=100, page=3, sort="n"))
    assert not page.keyset and page.readonly_reason == "no primary key: rows can be added, not edited or deleted"
    assert [r.cells[0].value for r in page.rows] == [str(n) for n in range(201, 251)]
    assert page.has_prev and not page.has_next and page.first_row_number == 201


def test_columns_named_like_the_query_aliases_sort_by_themselves(browser: Browser,
                                                                pg: psycopg.Connection[tuple[object, ...]]) -> None:
    """The page query aliases columns r0, r1…, c0…, k0…: a column with such a name still sorts by itself."""
    pg.execute('create table clash ("r1" int primary key, "r0" text not null, "c0" int not null, "k0" int)')
    pg.execute("insert into clash select g, chr(ascii('z') - g), 10 - g, g % 2 from generate_series(1, 9) g")
    pg.execute('create table clash_heap as select "r0", "r1" from clash')
    described = browser.describe("public", "clash")
    for sort, expected in (("r0", ["9", "8", "7"]), ("c0", ["9", "8", "7"]), ("r1", ["1", "2", "3"])):
        first = browser.browse(described, BrowseParams(size=3, sort=sort))
        assert [r.pk[0] for r in first.rows if r.pk] == expected, sort
        second = browser.browse(described, BrowseParams(size=3, sort=sort).after_cursor(first.next_cursor or ""))
        assert [r.pk[0] for r in second.rows if r.pk] == [str(int(e) + (3 if sort == "r1" else -3)) for e in expected]
    heap = browser.browse(browser.describe("public", "clash_heap"), BrowseParams(size=3, page=2, sort="r0"))
    assert [r.cells[1].value for r in heap.rows] == ["6", "5", "4"]
