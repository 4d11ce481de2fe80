"""E2E: at "Fit" on a 1440x900 screen the demo's diagram is whole: every table's box lies inside the visible
canvas (nothing cut off by its edge, nothing to scroll to) and the text stays at 10 px or more."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from support.er_page import OUTSIDE_CANVAS_JS, fit


def test_demo_fits_the_canvas_whole(page: Page, live_server, shots: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/diagram")
    expect(page.get_by_test_id("diagram")).to_be_visible()
    smallest = fit(page)
    outside = page.evaluate(OUTSIDE_CANVAS_JS)
    page.screenshot(path=str(shots / "diagram-fit-demo-whole.png"))
    assert smallest >= 10, smallest
    assert outside == [], f"tables cut off by the canvas edge at Fit: {outside}"
