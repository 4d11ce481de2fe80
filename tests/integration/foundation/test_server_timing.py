"""Every HTTP answer says how long the app took (Server-Timing), and the cached navigation stays right."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

TIMING = re.compile(r"^(?:(\w+);dur=\d+\.\d{2}, )*app;dur=(\d+\.\d{2})$")


def _spans(header: str) -> dict[str, float]:
    return {name: float(ms) for name, ms in re.findall(r"(\w+);dur=(\d+\.\d{2})", header)}


def test_every_response_carries_the_server_time(client: TestClient[Any]) -> None:
    for path in ("/", "/tables", "/tables/public/operations", "/tables/public/no_such_table", "/healthz",
                 "/static/css/app.css"):  # a routed page, its error page, a static file
        response = client.get(path)
        match = TIMING.match(response.headers.get("server-timing", ""))
        assert match, f"{path}: {response.headers.get('server-timing')!r}"
        assert 0 < float(match.group(2)) < 60_000


def test_a_table_page_says_where_its_time_went(client: TestClient[Any]) -> None:
    for path in ("/tables/public/operations", "/tables"):
        spans = _spans(client.get(path).headers["server-timing"])
        assert set(spans) == {"data", "html", "app"}, path
        assert 0 < spans["data"] < spans["app"] and 0 < spans["html"] < spans["app"]
        assert spans["data"] + spans["html"] <= spans["app"]


def test_the_navigation_marks_the_current_section_on_every_page(client: TestClient[Any]) -> None:
    for path, label in (("/", "Dashboard"), ("/tables", "Tables"), ("/sql", "SQL"), ("/tables", "Tables"),
                        ("/migrations", "Migrations"), ("/", "Dashboard")):
        html = client.get(path).text
        current = re.findall(r'<a href="[^"]*" data-shortcut="[^"]*" title="([^"(]+) \(', html)
        marked = re.search(r'title="([^"(]+) \([^"]*"\s*aria-current="page"', html)
        assert len(current) == 6, path
        assert marked and marked.group(1) == label, (path, marked and marked.group(1))
