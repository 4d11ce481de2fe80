"""The URL builder and the post-login redirect guard."""

from __future__ import annotations

import pytest

from pgadmin_py.web.urls import Urls, safe_next


def test_section_urls() -> None:
    u = Urls()
    assert [u.home(), u.migrations(), u.tables(), u.models(), u.diagram(), u.sql()] == [
        "/", "/migrations", "/tables", "/models", "/diagram", "/sql"]
    assert u.static("css/app.css") == "/static/css/app.css"
    assert u.login("/tables?sort=id") == "/login?next=%2Ftables%3Fsort%3Did"


def test_table_and_row_urls_encode_any_name() -> None:
    u = Urls()
    assert u.table("public", "order items", {"sort": "-id"}) == "/tables/public/order~20items?sort=-id"
    assert u.row("sales", "x/y", (7, "a,b")) == "/tables/sales/x~2Fy/rows/7,a~2Cb"


@pytest.mark.parametrize(("target", "expected"), [
    ("/tables", "/tables"), ("https://evil.example/", "/"), ("//evil.example", "/"), ("/\\evil", "/"),
    (None, "/"), ("", "/"), ("javascript:alert(1)", "/"),
])
def test_safe_next_never_leaves_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
