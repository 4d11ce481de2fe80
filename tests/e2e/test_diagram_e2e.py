"""E2E: the ER diagram: click an edge for its FK details, click a table for its rows, download the SVG."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect


def test_diagram_edge_table_and_download(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/diagram")
    diagram = page.get_by_test_id("diagram")
    expect(diagram.locator('[data-table="public.clients"]')).to_be_visible()

    diagram.locator('[data-edge="public.accounts.fk_accounts_client_id_clients"] .er-label').first.click()
    detail = page.get_by_test_id("edge-detail")
    expect(detail).to_contain_text("fk_accounts_client_id_clients")
    expect(detail).to_contain_text("CASCADE")
    expect(page).to_have_url(re.compile(r"/diagram$"))  # the panel, not a navigation
    page.screenshot(path=str(shots / "diagram-edge.png"))

    with page.expect_download() as info:
        page.get_by_test_id("download-svg").click()
    download = info.value
    assert download.suggested_filename == "er-diagram-all.svg"
    content = Path(download.path()).read_text()
    assert content.startswith("<?xml") and "clients" in content

    with page.expect_download() as png_info:
        page.get_by_test_id("download-png").click()
    png = png_info.value
    assert png.suggested_filename == "er-diagram-all.png"
    assert Path(png.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page.get_by_test_id("focus-table").select_option("public.payments")
    expect(page.get_by_test_id("diagram-summary")).to_contain_text("public.payments")
    expect(page).to_have_url(re.compile(r"table=public.payments"))

    diagram.locator('[data-table="public.accounts"] .er-box').click(force=True)
    expect(page).to_have_url(re.compile(r"/tables/public/accounts"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
