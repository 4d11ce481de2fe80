"""BrowseParams: the URL of a table view parses into a frozen value and serialises back unchanged."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from pgadmin_py.browser.params import (
    DEFAULT_SIZE,
    BadParams,
    BrowseParams,
    Filter,
    decode_cursor,
    encode_cursor,
)

CANONICAL = [
    "",
    "_sort=price&_desc=1",
    "_size=25&_q=o%27brien",
    "side__eq=BUY&price__gte=10&price__lte=20.5",
    "notes__isnull=&_after=WyIxMCJd",
    "_sort=name&_size=500&_before=WyJhIiwiMSJd",
    "_last=1",
    "_page=7",
    "_count=exact",
    "weird__name__contains=%3B+drop+table+x%3B--&%C3%A9t%C3%A9__eq=%E2%9C%93",
]


@pytest.mark.parametrize("query", CANONICAL)
def test_round_trip(query: str) -> None:
    params = BrowseParams.from_query(parse_qsl(query, keep_blank_values=True))
    assert urlencode(params.to_query()) == query
    assert BrowseParams.from_query(params.to_query()) == params


def test_defaults() -> None:
    params = BrowseParams.from_query([])
    assert params == BrowseParams()
    assert params.size == DEFAULT_SIZE and params.to_query() == []


def test_filters_from_a_plain_form_become_canonical() -> None:
    pairs = [("_fc", "price"), ("_fo", "gte"), ("_fv", "10"), ("_fc", ""), ("_fo", "eq"), ("_fv", ""),
             ("_fc", "notes"), ("_fo", "isnull"), ("_fv", "ignored")]
    params = BrowseParams.from_query(pairs)
    assert params.from_form
    assert params.filters == (Filter("price", "gte", "10"), Filter("notes", "isnull", ""))
    assert params.to_query() == [("price__gte", "10"), ("notes__isnull", "")]


def test_unknown_operators_and_plain_keys_are_ignored() -> None:
    params = BrowseParams.from_query([("price__between", "1"), ("price", "3"), ("__eq", "x")])
    assert params.filters == ()


def test_derived_views_reset_the_position() -> None:
    params = BrowseParams(sort="a", after="xyz", count_exact=True)
    assert params.sorted_by("a").desc is True and params.sorted_by("a").after is None
    assert params.sorted_by("b") == BrowseParams(sort="b")
    assert params.with_size(25).size == 25 and params.with_size(25).after is None
    assert params.last_page().last and params.after_cursor("c").after == "c"
    assert params.exact_count().after == "xyz"


@pytest.mark.parametrize("query", ["_size=abc", "_size=0", "_size=100000", "_page=-1", "_page=x"])
def test_bad_numbers_are_errors_with_words(query: str) -> None:
    with pytest.raises(BadParams) as info:
        BrowseParams.from_query(parse_qsl(query))
    assert info.value.hint


def test_cursor_round_trip_keeps_nulls_and_unicode() -> None:
    values = (None, "ünïcode ; ' \"", "42")
    assert decode_cursor(encode_cursor(values), 3) == values


@pytest.mark.parametrize("token", ["!!!", "e30", encode_cursor(["1"]), encode_cursor([1, 2])])  # type: ignore[list-item]
def test_bad_cursors_are_errors(token: str) -> None:
    with pytest.raises(BadParams):
        decode_cursor(token, 2)
