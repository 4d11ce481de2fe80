"""Every HTTP answer says how long the app took (Server-Timing), and the cached navigation stays right."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

TIMING = re.compile(r"^app;dur=(\d+\.\d{2})$")


def test_every_response_carries_the_server_time(client: TestClient[Any]) -> None:
    for path in ("/", "/tables", "/tables/public/operations", "/tables/public/no_such_table", "/healthz",
                 "/static/css/app.css"):  # a routed page, its error page, a static file
        response = client.get(path)
        match = TIMING.match(response.headers.get("server-timing", ""))
        assert match, f"{path}: {response.headers.get('server-timing')!r}"
        assert 0 < float(match.group(1)) < 60_000


def test_the_navigation_marks_the_current_section_on_every_page(client: TestClient[Any]) -> None:
    for path, label in (("/", "Dashboard"), ("/tables", "Tables"), ("/sql", "SQL"), ("/tables", "Tables"),
                        ("/migrations", "Migrations"), ("/", "Dashboard")):
        html = client.get(path).text
        current = re.findall(r'<a href="[^"]*" data-shortcut="[^"]*" title="([^"(]+) \(', html)
        marked = re.search(r'title="([^"(]+) \([^"]*"\s*aria-current="page"', html)
        assert len(current) == 6, path
        assert marked and marked.group(1) == label, (path, marked and marked.group(1))
