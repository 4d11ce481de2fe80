"""E2E: the ER diagram at Fit keeps its text readable (never under 10 px on a 1440x900 screen), for the demo and
a 100-table schema; a dragged table keeps its lines attached, stays where it was put after a reload, and Reset
layout puts it back."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl
from support.er_page import fit, hundred_tables

LINE_END_JS = """id => {
  const d = document.querySelector(`.er-edges [data-edge="${id}"] .er-line`).getAttribute('d');
  const n = d.match(/-?\\d+(\\.\\d+)?/g).map(Number);
  return [n[n.length - 2], n[n.length - 1]];
}"""
EDGE = "public.accounts.fk_accounts_client_id_clients"


def test_fit_is_readable_and_tables_drag(page: Page, live_server, demo_db: DatabaseUrl,  # type: ignore[no-untyped-def]
                                         shots: Path) -> None:
    hundred_tables(demo_db)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    fonts: dict[str, float] = {}
    for theme in ("dark", "light"):
        page.emulate_media(color_scheme=theme)
        for label, size in (("desktop", {"width": 1440, "height": 900}), ("tablet", {"width": 820, "height": 1180})):
            page.set_viewport_size(size)
            for view, query in (("demo", "?schema=public"), ("100", "?schema=big")):
                page.goto(f"{live_server.url}/diagram{query}")
                expect(page.get_by_test_id("diagram")).to_be_visible()
                fonts[f"{view}-{label}-{theme}"] = fit(page)
                page.screenshot(path=str(shots / f"diagram-fit-{view}-{label}-{theme}.png"))
    print("\nsmallest text at Fit (px):", fonts)
    assert min(fonts.values()) >= 10, fonts

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/diagram?schema=public")
    before = page.evaluate(LINE_END_JS, EDGE)
    _drag(page, "public.clients", 40, 160)
    expect(page).to_have_url(re.compile(r"/diagram\?schema=public$"))  # a drag is not a click on the table
    after = page.evaluate(LINE_END_JS, EDGE)
    assert after[1] > before[1] + 50 and after != before  # the line followed the table to its new place
    page.screenshot(path=str(shots / "diagram-dragged.png"))

    page.reload()
    expect(page.locator('[data-table="public.clients"]')).to_have_attribute("transform", re.compile("translate"))
    assert page.evaluate(LINE_END_JS, EDGE) == after  # the arrangement is kept for this view
    page.get_by_test_id("reset-layout").click()
    expect(page.locator('[data-table="public.clients"]')).not_to_have_attribute("transform", re.compile("."))
    assert page.evaluate(LINE_END_JS, EDGE) == before

    for theme in ("dark", "light"):  # the dragged picture at each size and theme, for a person to look at
        page.emulate_media(color_scheme=theme)
        for label, size in (("desktop", {"width": 1440, "height": 900}), ("tablet", {"width": 820, "height": 1180})):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/diagram?schema=public")
            _drag(page, "public.clients", 40, 160)
            page.screenshot(path=str(shots / f"diagram-dragged-{label}-{theme}.png"))
            page.get_by_test_id("reset-layout").click()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def _drag(page: Page, table: str, dx: float, dy: float) -> None:
    box = page.locator(f'[data-table="{table}"] .er-head').bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 40 + dx / 2, box["y"] + 10 + dy / 2, steps=6)
    page.mouse.move(box["x"] + 40 + dx, box["y"] + 10 + dy, steps=6)
    page.mouse.up()
