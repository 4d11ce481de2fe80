"""How counts and long cells read on the page."""

from __future__ import annotations

import pytest

from pgadmin_py.browser.model import Cell, Count


@pytest.mark.parametrize(("count", "text"), [
    (Count(1_234_567, False), "about 1.2M rows"),
    (Count(12_000, False), "about 12k rows"),
    (Count(999, False), "about 999 rows"),
    (Count(1, True), "1 row"),
    (Count(5_000, True), "5,000 rows"),
    (Count(None, False), "unknown number of rows"),
])
def test_count_text(count: Count, text: str) -> None:
    assert count.text == text


def test_long_cells_have_a_preview() -> None:
    short, long = Cell("abc"), Cell("x" * 200)
    assert not short.long and long.long and long.preview == "x" * 80 + "…"
    assert Cell("two\nlines").long and Cell("cut", cut=True).preview == "cut…"
