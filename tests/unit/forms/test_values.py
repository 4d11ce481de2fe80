"""Parsers of typed values and their display. Pure."""

from __future__ import annotations

import pytest

from pgadmin_py.forms import values as v


@pytest.mark.parametrize(("items", "literal"), [
    ([], "{}"), (["a"], '{"a"}'), (["a b", 'q"'], '{"a b","q\\""}'), ([None, "NULL"], '{NULL,"NULL"}'),
    ([["1", "2"], ["3", "4"]], '{{"1","2"},{"3","4"}}'), (["back\\slash"], '{"back\\\\slash"}'),
    ([True, {"k": 1}], '{"true","{\\"k\\": 1}"}'),
])
def test_array_literals_quote_every_element(items: list[object], literal: str) -> None:
    assert v.array_literal(items) == literal


def test_arrays_display_one_per_line_when_unambiguous() -> None:
    assert v.array_display(["a", "b"]) == "a\nb"
    assert v.array_display(["a", None]) == '["a", null]'
    assert v.array_display([" padded"]) == '[" padded"]'
    assert v.array_display(["[x"]) == '["[x"]'
    assert v.array_display([]) == "[]"
    for shown in ("a\nb", '["a", null]', '[" padded"]', "[]"):
        assert v.parse_array(shown)[1] in (["a", "b"], ["a", None], [" padded"], [])


def test_numeric_precision_checks() -> None:
    assert v.parse_numeric("99999999.99", 10, 2) == "99999999.99"
    with pytest.raises(ValueError, match="before the decimal point"):
        v.parse_numeric("100000000", 10, 2)
    with pytest.raises(ValueError, match="whole number"):
        v.parse_numeric("1.5", 5, 0)
    with pytest.raises(ValueError, match="Infinity is not allowed"):
        v.parse_numeric("Infinity", 5, 0)  # PostgreSQL: "numeric field overflow"
    assert v.parse_numeric("NaN", 5, 0) == "NaN"  # PostgreSQL keeps NaN in a numeric(5,0)
    assert v.parse_numeric("NaN", None, None) == "NaN"


@pytest.mark.parametrize(("raw", "message"), [
    ("1e999999", "Too large"), ("1e-999999", "At most 16383"), ("9" * 300_000, "Too long to be a number"),
])
def test_huge_numbers_are_refused_cheaply(raw: str, message: str) -> None:
    """Refused from the decimal's tuple or the text's length, never by building the integer (``int("9" *
    300_000)`` is quadratic, and 3.11+ refuses it with another message): the message names the cheap check
    that refused it, so no stopwatch is needed to tell the paths apart."""
    with pytest.raises(ValueError, match=message) as refused:
        v.parse_numeric(raw, None, None)
    assert "digits" not in str(refused.value)  # not Python's int-conversion limit


def test_huge_integers_are_out_of_range_not_a_python_error() -> None:
    with pytest.raises(ValueError, match="Out of range"):
        v.parse_int("9" * 30_000, "int8")
    assert v.parse_int("-0009223372036854775808", "int8") == "-9223372036854775808"
    assert v.parse_numeric("1.50", 6, 1) == "1.50"  # trailing zeros do not count as decimals
