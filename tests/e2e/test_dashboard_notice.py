"""E2E: connected as a superuser (the test server's postgres), the dashboard says so and shows the SQL
for a read-only role."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

SIZES = {"desktop": (1280, 800), "tablet": (820, 1180)}
EXTRA_SHOTS = Path("/tmp/shots")


def snap(page: Page, shots: Path, name: str) -> None:
    EXTRA_SHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for theme in ("dark", "light"):
            page.evaluate("t => document.documentElement.setAttribute('data-theme', t)", theme)
            page.wait_for_timeout(250)
            path = shots / f"dashboard-{name}-{size}-{theme}.png"
            page.screenshot(path=str(path), full_page=True)
            shutil.copy(path, EXTRA_SHOTS / path.name)
    page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")


def test_a_superuser_connection_is_named_with_the_way_out(page: Page, live_server: Any, shots: Path) -> None:
    page.goto(live_server.url + "/")
    notice = page.get_by_test_id("role-notice")
    expect(notice).to_contain_text("Connected as postgres, a superuser")
    sql = page.get_by_test_id("role-sql")
    expect(sql).to_be_hidden()
    snap(page, shots, "role-notice")
    notice.get_by_text("SQL to create a read-only role").click()
    expect(sql).to_be_visible()
    expect(sql).to_contain_text("CREATE ROLE pgadmin_readonly LOGIN PASSWORD")
    expect(sql).to_contain_text("ALTER ROLE pgadmin_readonly SET default_transaction_read_only = on")
    snap(page, shots, "role-notice-open")
