"""E2E: at "Fit" on a 1440x900 screen the diagram is whole: every table's box lies inside the visible canvas
(nothing cut off by its edge, nothing to scroll to) and the text stays at 10 px or more. The demo fits as it is;
a 100-table schema is shown as an overview of groups, and each group's diagram fits the same way; every table
is still one click away ("Show all 100 tables", scrolling)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from pgadmin_py.core.dburl import DatabaseUrl
from support import er_geometry
from support.er_page import OUTSIDE_CANVAS_JS, fit, hundred_tables

SVG_JS = "() => document.querySelector('.diagram-canvas svg.er').outerHTML"


def test_demo_fits_the_canvas_whole(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/diagram")
    expect(page.get_by_test_id("diagram")).to_be_visible()
    expect(page.get_by_test_id("diagram-groups")).to_have_count(0)  # drawn whole, not in groups
    expect(page.locator('[data-table="public.alembic_version"]')).to_have_count(1)
    smallest = fit(page)
    outside = page.evaluate(OUTSIDE_CANVAS_JS)
    page.screenshot(path=str(shots / "diagram-fit-demo-whole.png"))
    assert smallest >= 10, smallest
    assert outside == [], f"tables cut off by the canvas edge at Fit: {outside}"


def _whole_at_fit(page: Page, what: str) -> er_geometry.Measure:
    smallest = fit(page)
    outside = page.evaluate(OUTSIDE_CANVAS_JS)
    measured = er_geometry.measure(page.evaluate(SVG_JS))
    assert smallest >= 10, f"{what}: text of {smallest:.1f} px at Fit"
    assert outside == [], f"{what}: boxes cut off by the canvas edge at Fit: {outside}"
    assert measured.intersections == [], f"{what}: lines through boxes: {measured.intersections}"
    print(f"{what}: smallest text {smallest:.1f} px, {len(measured.tables)} boxes inside the canvas, "
          f"{len(measured.lines)} lines, 0 through a box, {measured.crossings} crossings")
    return measured


def test_hundred_tables_fit_as_groups(page: Page, live_server, demo_db: DatabaseUrl,  # type: ignore[no-untyped-def]
                                      shots: Path) -> None:
    hundred_tables(demo_db)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/diagram?schema=big")
    expect(page.get_by_test_id("diagram-groups")).to_contain_text("100 tables are too many")
    overview = _whole_at_fit(page, "overview")
    groups = [page.locator(f'[data-table="{key}"]').get_attribute("href") for key in sorted(overview.tables)]
    assert len(groups) >= 2 and all(g and "group=" in g for g in groups)
    page.locator(f'[data-table="{sorted(overview.tables)[0]}"] .er-box').click()  # a group opens on a click
    expect(page).to_have_url(re.compile(r"group=big\.t\d+"))
    expect(page.get_by_test_id("diagram-summary")).to_contain_text("group ")
    seen: set[str] = set()
    for href in groups:
        page.goto(f"{live_server.url}{href}")
        expect(page.get_by_test_id("diagram-groups")).to_contain_text("this group holds")
        seen |= set(_whole_at_fit(page, f"group {href}").tables)
    assert len(seen) == 100  # every table is in a group

    page.goto(f"{live_server.url}/diagram?schema=big")
    page.get_by_test_id("show-all").click()
    expect(page).to_have_url(re.compile(r"all=1"))
    expect(page.get_by_test_id("diagram-summary")).to_contain_text("100 tables")
    fit(page)
    assert page.evaluate(OUTSIDE_CANVAS_JS) != []  # the whole diagram is there, to scroll through

    for theme in ("dark", "light"):  # for a person to look at
        page.emulate_media(color_scheme=theme)
        for label, size in (("desktop", {"width": 1440, "height": 900}), ("tablet", {"width": 820, "height": 1180})):
            page.set_viewport_size(size)
            for view, url in (("demo", "/diagram"), ("100-overview", "/diagram?schema=big"), ("100-group", groups[0])):
                page.goto(f"{live_server.url}{url}")
                fit(page)
                page.screenshot(path=str(shots / f"diagram-fit-{view}-{label}-{theme}.png"))
